import TestSupport
import Foundation
import Testing

@testable import Movies

@Suite struct MovieErrorTests {
    @Test func refusedFramesWriteNothingAndKeepTheWriterUsable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("refused.mkv")
        let good = try TestFrames.jpeg(number: 0, width: 320, height: 240)
        let writer = try MovieWriter(path: path, width: 320, height: 240)
        try writer.append(jpeg: good, at: .seconds(10))

        let garbage: [UInt8] = Array("this is not a JPEG at all".utf8)
        let truncated = Array(good.prefix(good.count / 2))
        let wrongSize = try TestFrames.jpeg(number: 1, width: 160, height: 120)
        var noFrameHeader = good
        noFrameHeader.replaceSubrange(2..<(good.count - 2), with: [0xFF, 0xFE, 0x00, 0x04, 0x41, 0x42])
        for (name, frame) in [("garbage", garbage), ("truncated", truncated), ("wrong size", wrongSize), ("no SOF", noFrameHeader), ("empty", [])] {
            let error = movieError { try writer.append(jpeg: frame, at: .seconds(11)) }
            #expect(error?.kind == .invalidFrame, "\(name): \(String(describing: error))")
            #expect(error?.call == "MovieWriter.append")
            #expect(error?.path == path + ".partial")
        }
        let backwards = movieError { try writer.append(jpeg: good, at: .seconds(9)) }
        #expect(backwards?.kind == .timestampOrder, "\(String(describing: backwards))")
        #expect(movieError { try writer.append(jpeg: good, at: .seconds(10) - .microseconds(1)) }?.kind == .timestampOrder)

        try writer.append(jpeg: good, at: .seconds(10) + .milliseconds(500))
        let summary = try writer.finish()
        #expect(summary.frames == 2)
        #expect(summary.lastFrameTime == .milliseconds(500))
        #expect(try Tool.probe(path).frames == 2)
    }

    @Test func badArgumentsAreRefusedBeforeAnyFileIsMade() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("bad.mkv")
        #expect(movieError { _ = try MovieWriter(path: path, width: 0, height: 48) }?.kind == .invalidArgument)
        #expect(movieError { _ = try MovieWriter(path: path, width: 64, height: 70000) }?.kind == .invalidArgument)
        #expect(movieError { _ = try MovieWriter(path: "", width: 64, height: 48) }?.kind == .invalidArgument)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func finishingWithoutFramesFailsAndCleansUp() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("nothing.mkv")
        let writer = try MovieWriter(path: path, width: 64, height: 48)
        #expect(movieError { _ = try writer.finish() }?.kind == .invalidMovie)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func unwritableDirectoriesAreTypedErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = movieError { _ = try MovieWriter(path: directory.file("no/such/dir/x.mkv"), width: 64, height: 48) }
        #expect(missing?.kind == .notFound, "\(String(describing: missing))")
        #expect(missing?.call == "open")
        #expect(missing?.message == "No such file or directory")
        #expect(missing?.path == directory.file("no/such/dir/x.mkv.partial"))

        let file = directory.file("plain-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let notDirectory = movieError { _ = try MovieWriter(path: file + "/x.mkv", width: 64, height: 48) }
        #expect(notDirectory?.kind == .io, "\(String(describing: notDirectory))")

        if getuid() != 0 {
            // Root ignores permission bits; the read-only mount below covers root.
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path) }
            let denied = movieError { _ = try MovieWriter(path: directory.file("x.mkv"), width: 64, height: 48) }
            #expect(denied?.kind == .io, "\(String(describing: denied))")
        }

        #expect(movieError { _ = try MovieProbe.summary(of: directory.file("absent.mkv")) }?.kind == .notFound)
        #expect(movieError { _ = try MovieProbe.summary(of: file) }?.kind == .invalidMovie)
        #expect(movieError { _ = try MovieRepair.finish(partial: directory.file("absent.partial"), to: directory.file("a.mkv")) }?.kind == .notFound)
    }

    @Test(.enabled(if: TinyFileSystem.isPermitted, "needs permission to mount a tmpfs (root)"))
    func aReadOnlyFileSystemIsAnIOError() throws {
        let mount = try TinyFileSystem(kilobytes: 64, readOnly: true)
        defer { mount.unmount() }
        let error = movieError { _ = try MovieWriter(path: mount.file("x.mkv"), width: 64, height: 48) }
        #expect(error?.kind == .io, "\(String(describing: error))")
        #expect(error?.message == "Read-only file system")
    }
}

/// Writing where the file system is full (a tiny tmpfs).
@Suite(.enabled(if: TinyFileSystem.isPermitted, "needs permission to mount a tmpfs (root)"))
struct DiskFullTests {
    @Test func aFullDiskWhileAppendingIsRecognisedAndLeavesARepairablePartial() throws {
        let mount = try TinyFileSystem(kilobytes: 200)
        defer { mount.unmount() }
        let elsewhere = try TemporaryDirectory()
        defer { elsewhere.remove() }
        let path = mount.file("full.mkv")
        let writer = try MovieWriter(path: path, width: 640, height: 480)
        var written = 0
        var failure: MovieError? = nil
        for index in 0..<100 {
            do {
                try writer.append(jpeg: try TestFrames.jpeg(number: index), at: .milliseconds(100 * index))
                written += 1
            } catch let error as MovieError {
                failure = error
                break
            }
        }
        let error = try #require(failure, "200 KiB should not hold 100 frames")
        #expect(error.kind == .diskFull, "\(error)")
        #expect(error.message == "No space left on device")
        #expect(error.path == path + ".partial")
        #expect(written > 0)
        #expect(movieError { try writer.append(jpeg: try TestFrames.jpeg(number: 0), at: .seconds(100)) }?.kind == .closed)
        #expect(movieError { _ = try writer.finish() }?.kind == .closed)
        #expect(!fileExists(path))

        // Every frame that was accepted is in the partial file, whole.
        #expect(try MovieProbe.summary(of: path + ".partial").frames == written)
        #expect(try Tool.probe(path + ".partial").frames == written)
        let moved = elsewhere.file("full.mkv.partial")
        try FileManager.default.copyItem(atPath: path + ".partial", toPath: moved)
        let repaired = try MovieRepair.finish(partial: moved, to: elsewhere.file("full.mkv"))
        #expect(repaired.frames == written)

        // Repairing onto the full disk fails cleanly too, and keeps the partial file.
        let again = movieError { _ = try MovieRepair.finish(partial: path + ".partial", to: path) }
        #expect(again?.kind == .diskFull, "\(String(describing: again))")
        #expect(fileExists(path + ".partial") && !fileExists(path) && !fileExists(path + ".repairing"))
    }

    @Test func aFullDiskWhenStartingRemovesThePartialFile() throws {
        let mount = try TinyFileSystem(kilobytes: 200)
        defer { mount.unmount() }
        mount.fill()
        let path = mount.file("none.mkv")
        let error = movieError { _ = try MovieWriter(path: path, width: 640, height: 480) }
        #expect(error?.kind == .diskFull, "\(String(describing: error))")
        #expect(!fileExists(path + ".partial") && !fileExists(path))
    }

    @Test func aFullDiskWhenFinishingLeavesNoFinishedMovie() throws {
        let mount = try TinyFileSystem(kilobytes: 1024)
        defer { mount.unmount() }
        let path = mount.file("late.mkv")
        let writer = try MovieWriter(path: path, width: 16, height: 16)
        // Many small frames: an index (cues) too big for the slack in the file's last block.
        let frame = try TestFrames.jpeg(number: 1, width: 16, height: 16, quality: 30)
        for index in 0..<600 { try writer.append(jpeg: frame, at: .milliseconds(40 * index)) }
        mount.fill()
        let error = movieError { _ = try writer.finish() }
        #expect(error?.kind == .diskFull, "\(String(describing: error))")
        #expect(!fileExists(path))
        #expect(fileExists(path + ".partial"))
        try FileManager.default.removeItem(atPath: mount.file("filler"))
        let repaired = try MovieRepair.finish(partial: path + ".partial", to: path)
        #expect(repaired.frames == 600)
        #expect(try Tool.probe(path).frames == 600)
    }
}
