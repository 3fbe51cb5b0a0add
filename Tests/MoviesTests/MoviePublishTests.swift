import Files
import Foundation
import TestSupport
import Testing

@testable import Movies

#if canImport(Glibc)
import Glibc
#endif

/// A finished movie is published through the file-system layer: flushed, renamed, its folder
/// flushed; a full disk on the way is a full disk.
@Suite struct MoviePublishTests {
    /// A writer of `directory/gate.mkv` holding one frame.
    private func oneFrameWriter(in directory: TemporaryDirectory) throws -> MovieWriter {
        let writer = try MovieWriter(path: directory.file("gate.mkv"), width: 320, height: 240)
        try writer.append(jpeg: try TestFrames.jpeg(number: 0, width: 320, height: 240), at: .seconds(1))
        return writer
    }

    @Test func finishingFlushesTheMovieRenamesItThenFlushesTheFolder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try oneFrameWriter(in: directory)
        let path = writer.path
        let log = FileCallLog()
        let summary = try FileSystem.$observer.withValue(log.observer) { try writer.finish() }
        let partial = writer.partialPath
        #expect(
            log.calls == [
                FileCall("open", partial), FileCall("fsync", partial), FileCall("close", partial),
                FileCall("rename", path), FileCall("open", directory.path), FileCall("fsync", directory.path),
                FileCall("stat", path),
            ])
        #expect(summary.frames == 1 && summary.bytes > 0)
        #expect(FileSystem.isFile(path) && !FileSystem.exists(partial))
    }

    @Test func aFullDiskWhilePublishingIsAFullDiskAndLeavesThePartialFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try oneFrameWriter(in: directory)
        let path = writer.path
        let partial = writer.partialPath
        let log = FileCallLog { $0 == FileCall("fsync", partial) ? ENOSPC : nil }
        let error = try #require(throws: MovieError.self) {
            try FileSystem.$observer.withValue(log.observer) { _ = try writer.finish() }
        }
        #expect(error.kind == .diskFull && error.call == "fsync" && error.path == partial && error.code == -ENOSPC)
        #expect(error.message == "disk full flushing \(partial) (fsync: ENOSPC)")
        #expect(FileSystem.isFile(partial) && !FileSystem.exists(path))
    }
}
