/// One frame read back from a movie: the JPEG stream exactly as it was muxed, and its timestamp
/// on the movie's timeline (whole milliseconds).
public struct MovieFrame: Sendable, Hashable {
    public var time: Duration
    public var jpeg: [UInt8]

    public init(time: Duration, jpeg: [UInt8]) {
        self.time = time
        self.jpeg = jpeg
    }
}
