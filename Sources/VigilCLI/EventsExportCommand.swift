import ArgumentParser
import EventStore
import Files
import Foundation
import HAL

/// `vigil events export`: copies an event's movies and snapshot into a directory.
struct EventsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Copy an event's movies and snapshot into a directory.",
        discussion: """
            Every file is copied to a temporary name in the directory, flushed to disk, then \
            renamed, so an interrupted export never leaves a truncated file under a final name. \
            The directory is created if missing. Nothing is copied when one of the event's files \
            is missing, or when one leads out of the storage root (a symbolic link).
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var storage: StorageOptions

    @Argument(help: "The event's id (see 'vigil events list').")
    var id: Int64

    @Option(name: .customLong("to"), help: ArgumentHelp("The directory to copy the files into.", valueName: "dir"))
    var directory: String

    struct Report: Encodable {
        struct File: Encodable {
            var source: String
            var target: String
            var bytes: Int64
        }
        var event: Int64
        var directory: String
        var files: [File]
    }

    func run() async throws {
        let index = try storage.openIndex()
        let event = try storage.event(id, in: index)
        var sources: [String] = []
        var missing: [String] = []
        for movie in try index.movies(eventID: id) {
            if let file = EventsShowCommand.file(of: movie) { sources.append(file) } else { missing.append(movie.path) }
        }
        if let snapshot = event.snapshot {
            if FileManager.default.fileExists(atPath: snapshot) { sources.append(snapshot) } else { missing.append(snapshot) }
        }
        guard missing.isEmpty else {
            throw CLIError("event \(id) cannot be exported: missing \(missing.joined(separator: ", ")); nothing was copied")
        }
        guard !sources.isEmpty else { throw CLIError("event \(id) has no movies or snapshot to export") }
        // A row or a file replaced by a symbolic link must not export what lies outside the root.
        let root = storage.layout.root
        let outside = sources.filter { FileSystem.resolved($0, inside: root) == nil }
        guard outside.isEmpty else {
            throw CLIError(
                "event \(id) cannot be exported: \(outside.joined(separator: ", ")) lead\(outside.count == 1 ? "s" : "") out of the storage root \(root) "
                    + "(a symbolic link?); nothing was copied")
        }
        try Self.makeDirectory(directory)

        var files: [Report.File] = []
        for source in sources {
            let target = URL(fileURLWithPath: directory).appendingPathComponent(URL(fileURLWithPath: source).lastPathComponent).path
            do {
                files.append(Report.File(source: source, target: target, bytes: try FileSystem.publishCopy(of: source, to: target)))
            } catch {
                throw CLIError("cannot export \(source) to \(directory): \(error)")
            }
        }
        let report = Report(event: id, directory: directory, files: files)
        if options.json { return try Output.json(report) }
        print("exported event \(id) (\(event.camera), \(EventFormat.local(event.start))) to \(directory):")
        Output.table(files.map { [$0.target, EventFormat.size($0.bytes)] }, indent: "  ")
    }

    /// Creates `path` and its parents unless it is already a directory; a clear error otherwise.
    static func makeDirectory(_ path: String) throws {
        if let kind = FileSystem.kind(at: path), kind != .directory {
            throw CLIError("cannot export to \(path): it is not a directory")
        }
        do {
            try FileSystem.makeDirectories(path)
        } catch {
            throw CLIError("cannot create the directory \(path): \(error)")
        }
    }
}
