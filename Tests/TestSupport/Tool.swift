import Foundation

/// Runs command-line tools (ffprobe, ffmpeg) to completion, their output captured in files so
/// that no pipe can fill and stall them.
public enum Tool {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var error: String
    }

    public static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let scratch = NSTemporaryDirectory() + "vigil-tool-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // Standard error apart from standard output: ffprobe's JSON must stay parseable.
        let process = try Subprocess(executable, arguments, outputPath: scratch, errorPath: scratch + ".err")
        let status = process.wait()
        defer { try? FileManager.default.removeItem(atPath: scratch + ".err") }
        return Result(
            status: status, output: process.output,
            error: (try? String(contentsOfFile: scratch + ".err", encoding: .utf8)) ?? "")
    }

    public static let ffprobe = "/usr/bin/ffprobe"
    public static let ffmpeg = "/usr/bin/ffmpeg"

    /// ffprobe's count of decodable frames, codec name and container duration (seconds).
    public static func probe(_ path: String) throws -> (frames: Int?, codec: String?, duration: Double?) {
        let result = try run(
            ffprobe,
            [
                "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_frames,codec_name", "-show_entries", "format=duration", "-of", "json", path,
            ])
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let stream = (json?["streams"] as? [[String: Any]])?.first
        let format = json?["format"] as? [String: Any]
        return (
            (stream?["nb_read_frames"] as? String).flatMap { Int($0) }, stream?["codec_name"] as? String,
            (format?["duration"] as? String).flatMap { Double($0) }
        )
    }

    /// The video packets' timestamps as ffprobe reports them, in milliseconds.
    public static func packetTimes(_ path: String) throws -> [Int64] {
        let result = try run(
            ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path])
        return result.output.split(whereSeparator: \.isNewline).compactMap { line in
            Double(line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ",")))
                .map { Int64(($0 * 1000).rounded()) }
        }
    }
}

/// Runs blocking work on a new thread. Not on Dispatch's global queue: on Linux that queue
/// has as many threads as cores and Swift's own tasks run on it too, so blocking it for the
/// length of a subprocess starves every other test.
public func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
