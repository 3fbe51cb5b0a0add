import Foundation
import TestSupport
import Testing

/// What a running recorder maps: the movie writer is libmatroska's, and libavformat (with the
/// dozens of shared objects Debian's FFmpeg pulls in) is loaded only to read or repair a movie;
/// libmosquitto (with OpenSSL) only when MQTT is configured.
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
        #expect(objects.contains { $0.contains("libmatroska") }, "the writer's library: \(objects.sorted())")
        let ffmpeg = objects.filter { $0.contains("libavformat") || $0.contains("libavcodec") || $0.contains("libavutil") }
        #expect(ffmpeg.isEmpty, "mapped: \(ffmpeg.sorted())")
        // No `mqtt:`: libmosquitto, and the OpenSSL it pulls in, are not loaded.
        let mqtt = objects.filter { $0.contains("libmosquitto") || $0.contains("libssl") || $0.contains("libcrypto") }
        #expect(mqtt.isEmpty, "mapped: \(mqtt.sorted())")
    }
}
