import Foundation

/// One movie file of an event.
///
/// ``path`` is the finished movie's path (`….mkv`). While ``finished`` is false the file may
/// still be at `path + ".partial"` (see ``StorageLayout/partialSuffix``); the recorder renames it
/// when it closes the movie.
public struct MovieRecord: Sendable, Hashable, Codable, Identifiable {
    /// The row id, unique for the life of the index (never reused).
    public var id: Int64
    /// The event the movie belongs to.
    public var eventID: Int64
    /// The finished movie's path (`….mkv`), unique in the index.
    public var path: String
    /// Wall-clock time of the movie's first frame.
    public var start: Date
    /// Wall-clock time of the movie's last frame; nil until reported.
    public var end: Date?
    /// Frames written, as last reported.
    public var frames: Int
    /// Bytes written, as last reported.
    public var bytes: Int64
    /// Whether the movie was closed and is at ``path``.
    public var finished: Bool

    /// Makes a record; rows are made by ``EventIndex``, this is for tests.
    public init(
        id: Int64, eventID: Int64, path: String, start: Date, end: Date? = nil,
        frames: Int = 0, bytes: Int64 = 0, finished: Bool = false
    ) {
        self.id = id
        self.eventID = eventID
        self.path = path
        self.start = start
        self.end = end
        self.frames = frames
        self.bytes = bytes
        self.finished = finished
    }
}
