import Files
import TestSupport
import Foundation
import Testing

@testable import Movies

/// What a crash leaves: the partial file exactly as it is on disk after an append returns.
/// Copying it aside before anything is closed is what SIGKILL at that moment would leave.
@Suite struct CrashRecoveryTests {
    @Test func everyAppendedFrameIsReadableFromThePartialFileAtOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("live.mkv")
        let times = TestFrames.irregularTimes(count: 12, seed: 99)
        let writer = try MovieWriter(path: path, width: 320, height: 240)
        defer { writer.abandon() }
        for (index, time) in times.enumerated() {
            try writer.append(jpeg: try TestFrames.jpeg(number: index, width: 320, height: 240), at: time)
            let snapshot = directory.file("snapshot-\(index).mkv")
            try FileManager.default.copyItem(atPath: writer.partialPath, toPath: snapshot)
            let summary = try MovieProbe.summary(of: snapshot)
            #expect(summary.frames == index + 1, "after frame \(index)")
            #expect(summary.lastFrameTime == .milliseconds((time - times[0]).roundedMilliseconds ?? -1))
            if index % 4 == 3 {
                #expect(try Tool.probe(snapshot).frames == index + 1, "ffprobe after frame \(index)")
            }
        }
    }

    @Test func aStaleRepairingFileLeftByACrashedRepairIsReplaced() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("again.mkv")
        let writer = try MovieWriter(path: path, width: 160, height: 120)
        for index in 0..<5 {
            try writer.append(jpeg: try TestFrames.jpeg(number: index, width: 160, height: 120), at: .milliseconds(200 * index))
        }
        writer.abandon()
        try Data("half a repair".utf8).write(to: URL(fileURLWithPath: path + ".repairing"))
        let repaired = try MovieRepair.finish(partial: writer.partialPath, to: path)
        #expect(repaired.frames == 5)
        #expect(try Tool.probe(path).frames == 5)
        #expect(!fileExists(path + ".repairing") && !fileExists(writer.partialPath))
    }

    @Test func libavformatLoadsOnceForReading() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("loaded.mkv")
        let writer = try MovieWriter(path: path, width: 160, height: 120)
        try writer.append(jpeg: try TestFrames.jpeg(number: 0, width: 160, height: 120), at: .zero)
        _ = try writer.finish()
        // Loading is once per process and idempotent; a reader finds it loaded.
        try LibAV.load(for: path)
        try LibAV.load(for: path)
        #expect(try MovieReader(path: path).next()?.time == .zero)
    }

    @Test func aKilledWritersPartialFileIsReadableAndRepairs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("killed.mkv")
        let times = TestFrames.irregularTimes(count: 30, seed: 1234, start: .seconds(77))
        let frames = try (0..<30).map { try TestFrames.jpeg(number: $0, width: 320, height: 240) }
        let writer = try MovieWriter(path: path, width: 320, height: 240, metadata: ["camera": "gate"])
        for (frame, time) in zip(frames, times) { try writer.append(jpeg: frame, at: time) }
        let crashed = directory.file("crashed.mkv.partial")
        try FileManager.default.copyItem(atPath: writer.partialPath, toPath: crashed)
        writer.abandon()

        let probe = try Tool.probe(crashed)
        #expect(probe.frames == 30)
        #expect(probe.codec == "mjpeg")
        let decode = try Tool.run(Tool.ffmpeg, ["-v", "error", "-i", crashed, "-f", "null", "-"])
        #expect(decode.status == 0 && decode.error.isEmpty, "ffmpeg said: \(decode.error)")

        let repairedPath = directory.file("crashed.mkv")
        let repaired = try MovieRepair.finish(partial: crashed, to: repairedPath)
        let timing = expectedTiming(times)
        #expect(repaired.frames == 30)
        #expect(repaired.duration == .milliseconds(timing.duration))
        #expect(repaired.lastFrameTime == .milliseconds(timing.last))
        #expect(!fileExists(crashed))
        #expect(!fileExists(repairedPath + ".repairing"))
        #expect(try Tool.probe(repairedPath).frames == 30)
        #expect(try Tool.packetTimes(repairedPath) == times.map { ($0 - times[0]).roundedMilliseconds ?? -1 })
        let reader = try MovieReader(path: repairedPath)
        #expect(reader.metadata == ["CAMERA": "gate"])
        #expect(reader.declaredDuration == repaired.duration)
        var read: [[UInt8]] = []
        while let frame = try reader.next() { read.append(frame.jpeg) }
        #expect(read == frames)
        #expect(try MovieProbe.summary(of: repairedPath) == repaired)
    }

    @Test func anAbandonedMovieRepairsInPlaceOfItsPartialFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("stopped.mkv")
        let writer = try MovieWriter(path: path, width: 160, height: 120)
        for index in 0..<8 {
            try writer.append(jpeg: try TestFrames.jpeg(number: index, width: 160, height: 120), at: .milliseconds(100 * index))
        }
        writer.abandon()
        #expect(fileExists(path + ".partial") && !fileExists(path))
        // A new recording must not overwrite the evidence.
        #expect(movieError { _ = try MovieWriter(path: path, width: 160, height: 120) }?.kind == .invalidArgument)

        let repaired = try MovieRepair.finish(partial: path + ".partial", to: path)
        #expect(repaired.frames == 8)
        #expect(repaired.duration == .milliseconds(800))
        #expect(!fileExists(path + ".partial"))
        #expect(try Tool.probe(path).duration == 0.8)
    }

    @Test func aTornTailIsCutOffAtTheLastWholeFrame() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("torn.mkv")
        let writer = try MovieWriter(path: path, width: 320, height: 240)
        for index in 0..<10 {
            try writer.append(jpeg: try TestFrames.jpeg(number: index, width: 320, height: 240), at: .milliseconds(100 * index))
        }
        let sizeAfterNine = try #require(FileSystem.size(of: writer.partialPath))
        try writer.append(jpeg: try TestFrames.jpeg(number: 10, width: 320, height: 240), at: .milliseconds(1000))
        let sizeAfterTen = try #require(FileSystem.size(of: writer.partialPath))
        writer.abandon()
        // A crash in the middle of writing frame 10's cluster.
        let torn = directory.file("torn.mkv.partial")
        let cut = sizeAfterNine + (sizeAfterTen - sizeAfterNine) / 2
        #expect(truncate(torn, off_t(cut)) == 0)

        #expect(try MovieProbe.summary(of: torn).frames == 10)
        let repaired = try MovieRepair.finish(partial: torn, to: path)
        #expect(repaired.frames == 10)
        #expect(try Tool.probe(path).frames == 10)
    }

    @Test func aPartialFileWithoutFramesIsNotRepairedAway() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("empty.mkv")
        let writer = try MovieWriter(path: path, width: 64, height: 48)
        writer.abandon()
        let error = movieError { _ = try MovieRepair.finish(partial: path + ".partial", to: path) }
        #expect(error?.kind == .invalidMovie, "\(String(describing: error))")
        #expect(fileExists(path + ".partial") && !fileExists(path) && !fileExists(path + ".repairing"))
        #expect(movieError { _ = try MovieProbe.summary(of: path + ".partial") }?.kind == .invalidMovie)
        #expect(MovieRepair.holdsNoFrame(path + ".partial"), "a header and nothing else")
    }
}
