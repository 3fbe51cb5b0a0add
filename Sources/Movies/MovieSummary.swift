/// What a movie holds, as reported by ``MovieWriter/finish()``, ``MovieRepair`` and
/// ``MovieProbe``.
///
/// Times are on the movie's own timeline, in whole milliseconds: a movie written by
/// ``MovieWriter`` starts at 0 (its first frame). `duration` runs from the first frame to the end
/// of the last, each frame lasting the average interval between the frames up to it (a lone
/// frame lasts 0). For frames at a steady rate that is `lastFrameTime - firstFrameTime` plus one
/// frame period; it is also the duration written into the file's header, which is what ffprobe
/// reports.
public struct MovieSummary: Sendable, Hashable {
    /// The movie file.
    public var path: String
    /// How many frames it holds.
    public var frames: Int
    /// From the first frame's start to the end of the last frame (see above).
    public var duration: Duration
    /// The file's size in bytes.
    public var bytes: Int64
    /// The first frame's timestamp (0 for movies this module writes).
    public var firstFrameTime: Duration
    /// The last frame's timestamp.
    public var lastFrameTime: Duration

    /// A summary with the given values (the module makes its own; this is for callers' tests).
    public init(
        path: String, frames: Int, duration: Duration, bytes: Int64, firstFrameTime: Duration,
        lastFrameTime: Duration
    ) {
        self.path = path
        self.frames = frames
        self.duration = duration
        self.bytes = bytes
        self.firstFrameTime = firstFrameTime
        self.lastFrameTime = lastFrameTime
    }

    init(path: String, timing: FrameTiming, bytes: Int64) {
        self.init(
            path: path, frames: timing.frames, duration: .milliseconds(timing.duration), bytes: bytes,
            firstFrameTime: .milliseconds(timing.first), lastFrameTime: .milliseconds(timing.last))
    }
}
