import ArgumentParser
import EventStore
import Foundation

/// `vigil events show`: one event with its movies and snapshot.
struct EventsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one event: its times, triggers, movies and snapshot.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var storage: StorageOptions

    @Argument(help: "The event's id (see 'vigil events list').")
    var id: Int64

    /// An event with its files, as printed in JSON.
    struct Detail: Encodable {
        var event: EventSummary
        var movies: [Movie]
        /// Whether the snapshot file is on disk (nil when the event has none).
        var snapshotExists: Bool?
    }

    struct Movie: Encodable {
        var id: Int64
        var path: String
        var start: String
        var end: String?
        var frames: Int
        var bytes: Int64
        var finished: Bool
        /// Where the file is now: the path, its `.partial` while it is written, or nil when missing.
        var file: String?
    }

    func run() async throws {
        let index = try storage.openIndex()
        let event = try storage.event(id, in: index)
        let movies = try index.movies(eventID: id).map { movie in
            Movie(
                id: movie.id, path: movie.path, start: EventFormat.iso(movie.start), end: movie.end.map(EventFormat.iso),
                frames: movie.frames, bytes: movie.bytes, finished: movie.finished, file: Self.file(of: movie))
        }
        let snapshotExists = event.snapshot.map { FileManager.default.fileExists(atPath: $0) }
        if options.json {
            return try Output.json(Detail(event: EventSummary(event), movies: movies, snapshotExists: snapshotExists))
        }
        print("event \(event.id): camera \(event.camera), \(event.state.rawValue)")
        var rows = [
            ["start", EventFormat.local(event.start)],
            ["end", event.end.map(EventFormat.local) ?? "-"],
            ["duration", EventFormat.duration(from: event.start, to: event.end)],
            ["triggers", event.triggers.isEmpty ? "-" : event.triggers.joined(separator: ", ")],
            ["frames", String(event.frames)],
            ["size", "\(EventFormat.size(event.bytes)) (\(event.bytes) bytes)"],
        ]
        if let snapshot = event.snapshot {
            rows.append(["snapshot", snapshot + (snapshotExists == true ? "" : " (missing)")])
        } else {
            rows.append(["snapshot", "-"])
        }
        Output.table(rows.map { [$0[0] + ":", $0[1]] }, indent: "  ")
        print("  movies: \(movies.isEmpty ? "none" : String(movies.count))")
        Output.table(movies.map { movie in
            [
                movie.file ?? "\(movie.path) (missing)",
                "\(movie.frames) frames", EventFormat.size(movie.bytes), movie.finished ? "finished" : "being written",
            ]
        }, indent: "    ")
    }

    /// The movie's file on disk: its path, else its `.partial` while unfinished, else nil.
    static func file(of movie: MovieRecord) -> String? {
        if FileManager.default.fileExists(atPath: movie.path) { return movie.path }
        let partial = movie.path + StorageLayout.partialSuffix
        if !movie.finished, FileManager.default.fileExists(atPath: partial) { return partial }
        return nil
    }
}
