/// The timing arithmetic every part of the module shares, so that a writer's summary, the
/// durations written into the file, a probe of the file and a repaired copy all agree exactly.
///
/// Times are whole milliseconds on the movie's timeline. Each frame is taken to last the average
/// interval between the frames so far (the first frame alone lasts 0); the movie ends where the
/// latest-ending frame ends. For frames at a steady rate that is the last frame's time plus one
/// frame period.
struct FrameTiming: Sendable, Hashable {
    private(set) var frames = 0
    private(set) var first: Int64 = 0
    private(set) var last: Int64 = 0
    private(set) var end: Int64 = 0

    /// Records a frame at `time` (not before the previous one) and returns how long it lasts.
    mutating func add(_ time: Int64) -> Int64 {
        if frames == 0 {
            first = time
            end = time
        }
        frames += 1
        last = time
        let intervals = Int64(frames - 1)
        let length = intervals > 0 ? (time - first + intervals / 2) / intervals : 0
        end = max(end, time + length)
        return length
    }

    /// From the first frame's start to the end of the latest-ending frame.
    var duration: Int64 { end - first }
}

extension Duration {
    /// This duration in whole milliseconds, rounded to the nearest; nil if it does not fit.
    var roundedMilliseconds: Int64? {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return nil }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        var fraction = attoseconds / perMillisecond
        let remainder = attoseconds % perMillisecond
        if remainder >= perMillisecond / 2 { fraction += 1 }
        if remainder <= -perMillisecond / 2 { fraction -= 1 }
        let (total, overflow2) = whole.addingReportingOverflow(fraction)
        return overflow2 ? nil : total
    }
}
