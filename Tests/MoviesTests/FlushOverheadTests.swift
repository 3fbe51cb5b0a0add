import Foundation
import TestSupport
import Testing

@testable import Movies

/// What flushing a cluster per frame costs, against libavformat's own buffering (clusters of up
/// to 5 s / 5 MiB, but cut by the muxer before any keyframe once over 4 KiB, and every MJPEG frame
/// is a keyframe). Prints the figures; the bounds are loose sanity checks.
@Suite(.serialized) struct FlushOverheadTests {
    struct Figures: CustomStringConvertible {
        var label: String
        var frames: Int
        var jpegBytes: Int
        var fileBytes: Int64
        var appendTime: Duration
        var perFrameBytes: Double { Double(fileBytes - Int64(jpegBytes)) / Double(frames) }
        var perFrameMicroseconds: Double {
            let (seconds, attoseconds) = appendTime.components
            return (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(frames)
        }
        var description: String {
            "\(label): \(frames) frames of \(jpegBytes / frames) B: container \(String(format: "%.1f", perFrameBytes)) B/frame, append \(String(format: "%.0f", perFrameMicroseconds)) µs/frame"
        }
    }

    func measure(flushing: Bool, width: Int, height: Int, quality: Int, frames count: Int, in directory: TemporaryDirectory) throws -> Figures {
        let samples = try (0..<10).map { try TestFrames.jpeg(number: $0, width: width, height: height, quality: quality) }
        let path = directory.file("\(flushing ? "flushed" : "buffered")-\(width).mkv")
        let writer = try MovieWriter(
            path: path, partialPath: path + ".partial", replacingPartial: false, width: width, height: height,
            metadata: [:], flushesEachFrame: flushing)
        var jpegBytes = 0
        let clock = ContinuousClock()
        var elapsed = Duration.zero
        for index in 0..<count {
            let frame = samples[index % samples.count]
            jpegBytes += frame.count
            elapsed += try clock.measure { try writer.append(jpeg: frame, at: .milliseconds(100 * index)) }
        }
        let summary = try writer.finish()
        #expect(summary.frames == count)
        return Figures(
            label: "\(flushing ? "cluster per frame, flushed" : "libav buffering")  \(width)x\(height)",
            frames: count, jpegBytes: jpegBytes, fileBytes: summary.bytes, appendTime: elapsed)
    }

    @Test(arguments: [(640, 480, 75), (320, 240, 75), (160, 120, 50)])
    func flushingEachFrameCostsLittle(width: Int, height: Int, quality: Int) throws {
        let directory = try TemporaryDirectory("overhead")
        defer { directory.remove() }
        let count = 300
        _ = try measure(flushing: true, width: width, height: height, quality: quality, frames: 20, in: directory)  // warm up
        let flushed = try measure(flushing: true, width: width, height: height, quality: quality, frames: count, in: directory)
        let buffered = try measure(flushing: false, width: width, height: height, quality: quality, frames: count, in: directory)
        print("MOVIE OVERHEAD \(flushed)")
        print("MOVIE OVERHEAD \(buffered)")
        // A cluster (ID, size, CRC-32, timestamp) and a SimpleBlock header, plus the index.
        #expect(flushed.perFrameBytes < 64)
        #expect(flushed.perFrameBytes - buffered.perFrameBytes < 40)
        #expect(flushed.perFrameMicroseconds < 20_000)
    }
}
