import Foundation
import TestSupport
import Testing

@testable import Movies

/// What flushing a cluster per frame costs in bytes, against libavformat's own buffering
/// (clusters of up to 5 s / 5 MiB, but cut by the muxer before any keyframe once over 4 KiB,
/// and every MJPEG frame is a keyframe). What it costs in time is measured by `Tools/bench`
/// (`vigil-bench movie-flush`), not here: a test must not depend on the machine's speed.
@Suite struct FlushOverheadTests {
    /// The file's bytes beyond the JPEGs, per frame, for `count` frames appended 100 ms apart.
    func containerBytesPerFrame(flushing: Bool, width: Int, height: Int, quality: Int, frames count: Int, in directory: TemporaryDirectory) throws -> Double {
        let samples = try (0..<10).map { try TestFrames.jpeg(number: $0, width: width, height: height, quality: quality) }
        let path = directory.file("\(flushing ? "flushed" : "buffered")-\(width).mkv")
        let writer = try MovieWriter(path: path, width: width, height: height, flushesEachFrame: flushing)
        var jpegBytes = 0
        for index in 0..<count {
            let frame = samples[index % samples.count]
            jpegBytes += frame.count
            try writer.append(jpeg: frame, at: .milliseconds(100 * index))
        }
        let summary = try writer.finish()
        #expect(summary.frames == count)
        return Double(summary.bytes - Int64(jpegBytes)) / Double(count)
    }

    @Test(arguments: [(640, 480, 75), (320, 240, 75), (160, 120, 50)])
    func flushingEachFrameCostsFewBytes(width: Int, height: Int, quality: Int) throws {
        let directory = try TemporaryDirectory("overhead")
        defer { directory.remove() }
        let flushed = try containerBytesPerFrame(flushing: true, width: width, height: height, quality: quality, frames: 300, in: directory)
        let buffered = try containerBytesPerFrame(flushing: false, width: width, height: height, quality: quality, frames: 300, in: directory)
        // A cluster (ID, size, CRC-32, timestamp) and a SimpleBlock header, plus the index.
        #expect(flushed < 64, "\(flushed) B a frame")
        #expect(flushed - buffered < 40, "flushed \(flushed) B a frame, buffered \(buffered)")
    }
}
