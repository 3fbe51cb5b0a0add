import CAVFormat
import Foundation
import Movies

/// A damaged movie: read every frame with MovieReader, then repair it with MovieRepair, as
/// the recorder does with a partial file left by a crash. Files live in a folder of their own
/// under /dev/shm (memory), removed after each input.
enum MovieHarness {
    /// The most frames read from one input; a movie of the fuzzer's size has far fewer.
    static let frameLimit = 100_000

    nonisolated(unsafe) private static var folder: String = {
        var message = [CChar](repeating: 0, count: 512)
        let capacity = message.count
        guard vigil_av_load(&message, capacity) == 0 else {
            fatalError("cannot load libavformat: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        vigil_av_log_set_level(AV_LOG_QUIET)
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/vigil-fuzz-movie-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func read(_ bytes: [UInt8]) {
        let partial = folder + "/damaged.mkv.partial"
        let repaired = folder + "/repaired.mkv"
        defer {
            for path in [partial, repaired, repaired + ".repairing"] { unlink(path) }
        }
        guard FileManager.default.createFile(atPath: partial, contents: Data(bytes)) else {
            fatalError("cannot write \(partial)")
        }
        do {
            let reader = try MovieReader(path: partial)
            var frames = 0
            while let frame = try reader.next() {
                frames += 1
                require(frames <= frameLimit, "more than \(frameLimit) frames in \(bytes.count) bytes")
                _ = frame.jpeg.count
            }
        } catch {
            _ = error.description
        }
        do {
            let summary = try MovieRepair.finish(partial: partial, to: repaired)
            _ = String(describing: summary)
        } catch {
            _ = error.description
        }
    }
}
