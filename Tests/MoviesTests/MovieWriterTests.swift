import TestSupport
import Foundation
import Testing

@testable import Movies

@Suite struct MovieWriterTests {
    @Test func hundredFramesAtIrregularTimesProbeAsWritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("clip.mkv")
        // The first time is an arbitrary monotonic clock reading; the movie starts at 0.
        let times = TestFrames.irregularTimes(count: 100, seed: 0x5EED, start: .seconds(5123) + .milliseconds(456))
        let frames = try (0..<100).map { try TestFrames.jpeg(number: $0) }
        let metadata = ["camera": "porch", "started": "2025-01-02T03:04:05Z"]

        let writer = try MovieWriter(path: path, width: 640, height: 480, metadata: metadata)
        #expect(fileExists(path + ".partial"))
        for (frame, time) in zip(frames, times) { try writer.append(jpeg: frame, at: time) }
        let summary = try writer.finish()

        let timing = expectedTiming(times)
        let expectedTimes = times.map { ($0 - times[0]).roundedMilliseconds ?? -1 }
        #expect(!fileExists(path + ".partial"))
        #expect(summary.path == path)
        #expect(summary.frames == 100)
        #expect(summary.firstFrameTime == .zero)
        #expect(summary.lastFrameTime == .milliseconds(expectedTimes[99]))
        #expect(summary.duration == .milliseconds(timing.duration))
        #expect(summary.bytes == Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1))
        let period = Double(expectedTimes[99]) / 99 / 1000
        let durationSeconds = Double(timing.duration) / 1000
        // One average frame period past the last frame.
        #expect(abs(durationSeconds - Double(expectedTimes[99]) / 1000 - period) < 0.002)

        let probe = try Tool.probe(path)
        #expect(probe.frames == 100)
        #expect(probe.codec == "mjpeg")
        let probed = try #require(probe.duration)
        #expect(abs(probed - durationSeconds) < period, "ffprobe \(probed) s, summary \(durationSeconds) s")
        #expect(abs(probed - durationSeconds) < 0.0015, "ffprobe reads the duration the writer computed")

        let decode = try Tool.run(Tool.ffmpeg, ["-v", "error", "-i", path, "-f", "null", "-"])
        #expect(decode.status == 0)
        #expect(decode.output.isEmpty && decode.error.isEmpty, "ffmpeg said: \(decode.error)")

        #expect(try Tool.packetTimes(path) == expectedTimes)

        #expect(try MovieProbe.summary(of: path) == summary)
        let reader = try MovieReader(path: path)
        #expect(reader.width == 640 && reader.height == 480)
        // Matroska tag names are upper case; libavformat converts them on writing.
        #expect(reader.metadata == ["CAMERA": "porch", "STARTED": "2025-01-02T03:04:05Z"])
        #expect(reader.declaredDuration == summary.duration)
    }

    @Test func jpegBytesComeBackBitExact() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("exact.mkv")
        let times = TestFrames.irregularTimes(count: 20, seed: 7)
        let frames = try (0..<20).map { try TestFrames.jpeg(number: $0, quality: 60 + $0) }
        let writer = try MovieWriter(path: path, width: 640, height: 480)
        for (frame, time) in zip(frames, times) { try writer.append(jpeg: frame, at: time) }
        _ = try writer.finish()

        // Through libavformat ...
        let reader = try MovieReader(path: path)
        var read: [MovieFrame] = []
        while let frame = try reader.next() { read.append(frame) }
        #expect(read.map(\.jpeg) == frames)
        #expect(read.map(\.time) == times)

        // ... and through the ffmpeg tool, independently.
        let pattern = directory.file("out-%03d.jpg")
        let copy = try Tool.run(
            Tool.ffmpeg, ["-v", "error", "-i", path, "-c", "copy", "-fps_mode", "passthrough", "-f", "image2", pattern])
        #expect(copy.status == 0, "\(copy.error)")
        for (index, frame) in frames.enumerated() {
            let file = directory.file(String(format: "out-%03d.jpg", index + 1))
            let bytes = try #require(FileManager.default.contents(atPath: file), "missing \(file)")
            #expect([UInt8](bytes) == frame, "frame \(index) differs")
        }
        #expect(!fileExists(directory.file(String(format: "out-%03d.jpg", frames.count + 1))))
    }

    @Test func aLoneFrameAndEqualTimesAreAllowed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jpeg = try TestFrames.jpeg(number: 1, width: 64, height: 48)

        let lone = try MovieWriter(path: directory.file("lone.mkv"), width: 64, height: 48)
        try lone.append(jpeg: jpeg, at: .seconds(42))
        let single = try lone.finish()
        #expect(single.frames == 1 && single.duration == .zero && single.lastFrameTime == .zero)
        #expect(try Tool.probe(single.path).frames == 1)
        #expect(try MovieProbe.summary(of: single.path) == single)

        let same = try MovieWriter(path: directory.file("same.mkv"), width: 64, height: 48)
        try same.append(jpeg: jpeg, at: .milliseconds(100))
        try same.append(jpeg: jpeg, at: .milliseconds(100))
        try same.append(jpeg: jpeg, at: .milliseconds(200))
        let summary = try same.finish()
        #expect(summary.frames == 3 && summary.lastFrameTime == .milliseconds(100))
        #expect(summary.duration == .milliseconds(150))
        #expect(try Tool.probe(summary.path).frames == 3)
        #expect(try MovieProbe.summary(of: summary.path) == summary)
    }

    @Test func finishingReplacesAnOldMovieAndClosesTheWriter() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("again.mkv")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let writer = try MovieWriter(path: path, width: 64, height: 48)
        let jpeg = try TestFrames.jpeg(number: 1, width: 64, height: 48)
        try writer.append(jpeg: jpeg, at: .zero)
        _ = try writer.finish()
        #expect(try MovieProbe.summary(of: path).frames == 1)
        #expect(movieError { try writer.append(jpeg: jpeg, at: .seconds(1)) }?.kind == .closed)
        #expect(movieError { _ = try writer.finish() }?.kind == .closed)
        writer.abandon()
        #expect(try MovieProbe.summary(of: path).frames == 1)
    }
}
