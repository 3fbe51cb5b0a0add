import EventStore
import Foundation

/// An event as `GET /api/v1/events` answers it: the fields of `vigil events list --json`
/// (``EventSummary``), with the URLs of its snapshot and movies.
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

    var summary: EventSummary
    var snapshotURL: String?
    var movies: [Movie]

    private enum CodingKeys: String, CodingKey { case snapshotURL, movies }

    init(_ event: EventRecord, movies: [MovieRecord]) {
        summary = EventSummary(event)
        snapshotURL = event.snapshot.map { _ in "/api/v1/events/\(event.id)/snapshot.jpg" }
        self.movies = movies.map { movie in
            Movie(
                id: movie.id, url: "/api/v1/movies/\(movie.id).mkv", start: EventSummary.iso(movie.start),
                end: movie.end.map(EventSummary.iso), frames: movie.frames, bytes: movie.bytes, finished: movie.finished)
        }
    }

    /// The summary's fields and these side by side in one object.
    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(snapshotURL, forKey: .snapshotURL)
        try container.encode(movies, forKey: .movies)
    }
}
