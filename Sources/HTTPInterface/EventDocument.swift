import EventStore
import Foundation

/// An event as `GET /api/v1/events` answers it: the fields of `vigil events list --json`, with
/// the URLs of its snapshot and movies.
struct EventDocument: Encodable {
    struct Movie: Encodable {
        var id: Int64
        var url: String
        var start: String
        var end: String?
        var frames: Int
        var bytes: Int64
        /// False while the recorder writes it (then `GET url` answers 409).
        var finished: Bool
    }

    var id: Int64
    var camera: String
    var state: String
    /// UTC, ISO 8601 with milliseconds.
    var start: String
    var end: String?
    var durationSeconds: Double?
    var triggers: [String]
    var frames: Int
    var bytes: Int64
    /// The snapshot's path on the node.
    var snapshot: String?
    var snapshotURL: String?
    var movies: [Movie]

    init(_ event: EventRecord, movies: [MovieRecord]) {
        id = event.id
        camera = event.camera
        state = event.state.rawValue
        start = Self.iso(event.start)
        end = event.end.map(Self.iso)
        durationSeconds = event.end.map { $0.timeIntervalSince(event.start) }
        triggers = event.triggers
        frames = event.frames
        bytes = event.bytes
        snapshot = event.snapshot
        snapshotURL = event.snapshot.map { _ in "/api/v1/events/\(event.id)/snapshot.jpg" }
        self.movies = movies.map { movie in
            Movie(
                id: movie.id, url: "/api/v1/movies/\(movie.id).mkv", start: Self.iso(movie.start), end: movie.end.map(Self.iso),
                frames: movie.frames, bytes: movie.bytes, finished: movie.finished)
        }
    }

    /// UTC, ISO 8601 with milliseconds: `2025-03-01T18:04:05.120Z`.
    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
