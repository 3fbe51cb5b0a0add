import ArgumentParser
import EventStore
import Foundation
import HAL

#if canImport(Glibc)
import Glibc
#endif

/// `vigil events export`: copies an event's movies and snapshot into a directory.
struct EventsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Copy an event's movies and snapshot into a directory.",
        discussion: """
            Every file is copied to a temporary name in the directory, flushed to disk, then \
            renamed, so an interrupted export never leaves a truncated file under a final name. \
            The directory is created if missing. Nothing is copied when one of the event's files \
            is missing.
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
        try Self.makeDirectory(directory)

        var files: [Report.File] = []
        for source in sources {
            let target = URL(fileURLWithPath: directory).appendingPathComponent(URL(fileURLWithPath: source).lastPathComponent).path
            do {
                files.append(Report.File(source: source, target: target, bytes: try Self.copyAtomically(source, to: target)))
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
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CLIError("cannot export to \(path): it is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create the directory \(path): \((error as NSError).localizedDescription)")
        }
    }

    /// Copies `source` to a temporary file beside `target`, flushes it, and renames it to `target`.
    /// Returns the bytes copied. On failure the temporary file is removed and `target` is untouched.
    static func copyAtomically(_ source: String, to target: String) throws(HALError) -> Int64 {
        let url = URL(fileURLWithPath: target)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let input = try systemCall("open", target: source) { open(source, O_RDONLY | O_CLOEXEC) }
        defer { close(input) }
        let output = try systemCall("open", target: temporary) {
            open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        var outputOpen = true
        var renamed = false
        defer {
            if outputOpen { close(output) }
            if !renamed { unlink(temporary) }
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while true {
            let count = try systemCall("read", target: source) {
                buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            }
            if count == 0 { break }
            var written = 0
            while written < count {
                written += try systemCall("write", target: temporary) {
                    buffer.withUnsafeBytes { write(output, $0.baseAddress.map { $0 + written }, count - written) }
                }
            }
            total += Int64(count)
        }
        try systemCall("fsync", target: temporary) { fsync(output) }
        outputOpen = false
        try systemCall("close", target: temporary) { close(output) }
        try systemCall("rename", target: target) { rename(temporary, target) }
        renamed = true
        return total
    }
}
