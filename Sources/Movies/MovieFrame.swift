/// One frame read back from a movie: the JPEG stream exactly as it was muxed, and its timestamp
/// on the movie's timeline (whole milliseconds).
public struct MovieFrame: Sendable, Hashable {
    /// When the frame was captured, relative to the movie's first frame.
    public var time: Duration
    /// The whole JPEG stream, SOI to EOI.
    public var jpeg: [UInt8]

    /// A frame of `jpeg` at `time`.
    public init(time: Duration, jpeg: [UInt8]) {
        self.time = time
        self.jpeg = jpeg
    }
}
