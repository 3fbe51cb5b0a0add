import Foundation
import TestSupport
import Testing

/// What a running recorder maps: the movie writer (libmatroska and libebml, in the plug-in
/// libVigilMatroska.so) only once it writes a movie, and libavformat (with the dozens of shared
/// objects Debian's FFmpeg pulls in) only to read or repair a movie; libmosquitto (with OpenSSL)
/// only when MQTT is configured.
@Suite(.serialized) struct LibraryMappingTests {
    /// The object files mapped into process `pid`.
    static func mappedObjects(of pid: Int32) throws -> Set<String> {
        // Read to the end: /proc files report a size of 0, which a whole-file read trusts.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/\(pid)/maps"))
        defer { try? handle.close() }
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        return Set(maps.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).first.map(String.init)
        }.filter { $0.hasPrefix("/") })
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/maps"), "needs /proc (Linux)"))
    func aRecorderWritingMoviesMapsNoFFmpegAndWithoutMQTTNoOpenSSL() async throws {
        let root = NSTemporaryDirectory() + "vigil-mapping-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorder = try RunningVigil(["record", "--board", "sim", "--speed", "50", "--size", "160x120", "--storage", root])
        let first = await recorder.nextLine()
        #expect(first?.hasPrefix("Recording camera") == true, "\(first ?? "nothing")")
        // A movie finished: the writer has run from start to end in this process.
        try await waitUntil("a finished movie", within: .seconds(60), every: .milliseconds(200)) {
            let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
            return files.contains { $0.hasSuffix(".mkv") }
        }
        let objects = try Self.mappedObjects(of: recorder.process.processIdentifier)
        _ = await recorder.stop()
        for library in ["libVigilMatroska.so", "libmatroska", "libebml"] {
            #expect(objects.contains { $0.contains(library) }, "the writer's \(library): \(objects.sorted())")
        }
        let ffmpeg = objects.filter { $0.contains("libavformat") || $0.contains("libavcodec") || $0.contains("libavutil") }
        #expect(ffmpeg.isEmpty, "mapped: \(ffmpeg.sorted())")
        // No `mqtt:`: libmosquitto, and the OpenSSL it pulls in, are not loaded.
        let mqtt = objects.filter { $0.contains("libmosquitto") || $0.contains("libssl") || $0.contains("libcrypto") }
        #expect(mqtt.isEmpty, "mapped: \(mqtt.sorted())")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/maps"), "needs /proc (Linux)"))
    func aRecorderWithoutMoviesOrMotionMapsNeitherAndKeepsSnapshotsAndRows() async throws {
        let root = NSTemporaryDirectory() + "vigil-mapping-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = root + "/vigil.yaml"
        try Data("events:\n  movies: false\ntriggers:\n  motion:\n    enabled: false\n".utf8).write(to: URL(fileURLWithPath: config))
        let storage = root + "/storage"
        let recorder = try RunningVigil([
            "record", "--board", "sim", "--speed", "50", "--size", "160x120", "--config", config, "--storage", storage,
        ])
        let first = await recorder.nextLine()
        #expect(first?.hasPrefix("Recording camera") == true, "\(first ?? "nothing")")
        // Two snapshots: at least one event has ended and another begun since (the PIR's).
        func files() -> [String] { FileManager.default.enumerator(atPath: storage)?.compactMap { $0 as? String } ?? [] }
        try await waitUntil("two event snapshots", within: .seconds(90), every: .milliseconds(200)) {
            files().filter { $0.hasSuffix(".jpg") }.count >= 2
        }
        let objects = try Self.mappedObjects(of: recorder.process.processIdentifier)
        #expect(await recorder.stop() == 0)
        let writer = objects.filter { $0.contains("libVigilMatroska") || $0.contains("libmatroska") || $0.contains("libebml") }
        #expect(writer.isEmpty, "mapped: \(writer.sorted())")
        let movies = files().filter { $0.contains(".mkv") }
        #expect(movies.isEmpty, "movies written: \(movies)")

        let listed = try await VigilProcess.run(["events", "list", "--storage", storage, "--json"])
        #expect(listed.status == 0, "\(listed.error)")
        struct Event: Decodable {
            var id: Int64, state: String, frames: Int, bytes: Int64, snapshot: String?
        }
        let events = try JSONDecoder().decode([Event].self, from: Data(listed.output.utf8))
        #expect(events.count >= 2, "\(listed.output)")
        for event in events {
            #expect(event.state == "finished", "event \(event.id): \(event.state)")
            let snapshot = try #require(event.snapshot, "event \(event.id) has no snapshot")
            #expect(FileManager.default.fileExists(atPath: snapshot), "event \(event.id)'s snapshot \(snapshot)")
            #expect(event.frames == 0 && event.bytes > 0, "event \(event.id): \(event.frames) frames, \(event.bytes) bytes")
        }
        let shown = try await VigilProcess.run(["events", "show", String(events[0].id), "--storage", storage])
        #expect(shown.status == 0 && shown.output.contains("movies: none"), "\(shown.output)\(shown.error)")
    }
    /// `vigil` without its movie plug-in beside it (as `swift run vigil` alone leaves it): a
    /// recorder that would write movies refuses to start, naming the plug-in and where it looked;
    /// one that writes none starts.
    @Test func aRecorderWhosePluginIsMissingRefusesToStartUnlessItWritesNoMovies() async throws {
        let root = NSTemporaryDirectory() + "vigil-noplugin-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A link (a copy if /tmp is another file system): /proc/self/exe then names this folder.
        let lonely = root + "/vigil"
        do {
            try FileManager.default.linkItem(atPath: VigilProcess.executable.path, toPath: lonely)
        } catch {
            try FileManager.default.copyItem(atPath: VigilProcess.executable.path, toPath: lonely)
        }
        // Boards are looked for beside the executable too: this one is named by its path.
        let board = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Boards/sim.yaml").standardized.path
        let refused = try await runProgram(lonely, ["record", "--board", board, "--duration", "1s", "--storage", root + "/a"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("cannot record movies: the movie writer's plug-in libVigilMatroska.so is not installed"), "\(refused.output)")
        #expect(refused.output.contains("access \(root)/libVigilMatroska.so"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: root + "/a/index.sqlite"), "it touched its storage before refusing")

        let config = root + "/snapshots.yaml"
        try Data("events:\n  movies: false\n".utf8).write(to: URL(fileURLWithPath: config))
        let snapshots = try await runProgram(
            lonely, ["record", "--board", board, "--speed", "50", "--duration", "2m", "--config", config, "--storage", root + "/b"])
        #expect(snapshots.status == 0, "\(snapshots.output)")
    }
}
