import ArgumentParser
import Foundation
import HAL
import Movies
import Scenes

/// `vigil-bench movie-flush`: what writing each frame through to the movie file costs.
struct MovieFlushBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "movie-flush",
        abstract: "Container bytes and append time per frame, flushing each frame against libavformat's buffering.",
        discussion: """
            Renders ten frames of the 'street' scene at the given size and quality, then appends \
            FRAMES of them in turn (100 ms apart) to a Matroska movie, twice: flushing a cluster \
            per frame, as the recorder does so that a crash loses no appended frame, and with \
            libavformat's own buffering (clusters of up to 5 s / 5 MiB, though the muxer cuts one \
            before any keyframe once it is over 4 KiB, and every MJPEG frame is a keyframe). A \
            short flushed run first warms the file system and the library up. Reports, for each, \
            the file's bytes beyond the JPEGs per frame and the wall-clock time per append.
            """)

    @Option(help: "Frame size, WxH.")
    var size = "640x480"

    @Option(help: "JPEG quality of the frames.")
    var quality = 75

    @Option(help: "How many frames each movie gets.")
    var frames = 300

    struct Figures: Codable {
        var containerBytesPerFrame: Double
        var appendMicrosecondsPerFrame: Double
    }

    struct Result: Codable {
        var width: Int
        var height: Int
        var frames: Int
        var meanJPEGBytes: Int
        var flushed: Figures
        var buffered: Figures
    }

    func run() throws {
        try printJSON(try measure())
    }

    /// Takes the figures (MoviesSection runs this for each size).
    func measure() throws -> Result {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--size must be WxH, not '\(size)'") }
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1 to 100") }
        let scene = try SceneCatalog.scene(named: "street", seed: 1)
        let samples = try (0..<10).map { index in
            try scene.frame(at: scene.frameStart(index), width: parts[0], height: parts[1], quality: quality).jpeg
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-movies-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        func measure(flushing: Bool, count: Int, name: String) throws -> Figures {
            let writer = try MovieWriter(
                path: directory + "/\(name).mkv", width: parts[0], height: parts[1], flushesEachFrame: flushing)
            var jpegBytes = 0
            let clock = ContinuousClock()
            var elapsed = Duration.zero
            for index in 0..<count {
                let frame = samples[index % samples.count]
                jpegBytes += frame.count
                elapsed += try clock.measure { try writer.append(jpeg: frame, at: .milliseconds(100 * index)) }
            }
            let summary = try writer.finish()
            guard summary.frames == count else {
                throw ValidationError("the \(name) movie has \(summary.frames) frames, not \(count)")
            }
            let (seconds, attoseconds) = elapsed.components
            return Figures(
                containerBytesPerFrame: Double(summary.bytes - Int64(jpegBytes)) / Double(count),
                appendMicrosecondsPerFrame: (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(count))
        }

        _ = try measure(flushing: true, count: 20, name: "warm-up")
        let flushed = try measure(flushing: true, count: frames, name: "flushed")
        let buffered = try measure(flushing: false, count: frames, name: "buffered")
        return Result(
            width: parts[0], height: parts[1], frames: frames, meanJPEGBytes: samples.reduce(0) { $0 + $1.count } / samples.count,
            flushed: flushed, buffered: buffered)
    }
}
