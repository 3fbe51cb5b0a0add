import Files
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct PublishTests {
    let scratch: TemporaryDirectory

    init() throws { scratch = try TemporaryDirectory("files") }

    @Test func publishingWritesFlushesRenamesThenFlushesTheFolder() throws {
        defer { scratch.remove() }
        let path = scratch.file("snapshot.jpg")
        let log = FileCallLog()
        try FileSystem.$observer.withValue(log.observer) { try FileSystem.publish([0xFF, 0xD8, 0xFF, 0xD9], to: path) }
        let temporary = try #require(log.calls.first?.path)
        #expect(FileSystem.parentDirectory(of: temporary) == scratch.path)
        #expect(temporary != path)
        #expect(
            log.calls == [
                FileCall("open", temporary), FileCall("write", temporary), FileCall("fsync", temporary),
                FileCall("close", temporary), FileCall("rename", path), FileCall("open", scratch.path),
                FileCall("fsync", scratch.path),
            ])
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == [0xFF, 0xD8, 0xFF, 0xD9])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["snapshot.jpg"])
    }

    @Test func publishingAFinishedFileFlushesItRenamesItThenFlushesTheFolder() throws {
        defer { scratch.remove() }
        let partial = scratch.file("movie.mkv.partial")
        let path = scratch.file("movie.mkv")
        #expect(FileManager.default.createFile(atPath: partial, contents: Data([1, 2, 3])))
        let log = FileCallLog()
        try FileSystem.$observer.withValue(log.observer) { try FileSystem.publish(finished: partial, as: path) }
        #expect(
            log.calls == [
                FileCall("open", partial), FileCall("fsync", partial), FileCall("close", partial),
                FileCall("rename", path), FileCall("open", scratch.path), FileCall("fsync", scratch.path),
            ])
        #expect(FileSystem.isFile(path) && !FileSystem.exists(partial))
    }

    @Test func aFullDiskIsReportedAsAFullDiskNamingTheCallAndThePath() throws {
        defer { scratch.remove() }
        let path = scratch.file("snapshot.jpg")
        try FileSystem.publish([1], to: path)
        let log = FileCallLog { $0.name == "write" ? ENOSPC : nil }
        let error = try #require(throws: FileError.self) {
            try FileSystem.$observer.withValue(log.observer) { try FileSystem.publish([2, 3], to: path) }
        }
        let temporary = try #require(log.calls.first?.path)
        #expect(error.kind == .diskFull && error.call == "write" && error.path == temporary && error.errno == ENOSPC)
        #expect(error.description == "disk full writing \(temporary) (write: ENOSPC)")
        // The old file is untouched and the temporary one is gone.
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == [1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["snapshot.jpg"])
    }

    @Test func aFailedFolderFlushIsReported() throws {
        defer { scratch.remove() }
        let path = scratch.file("export.mkv")
        let folder = scratch.path
        let log = FileCallLog { $0 == FileCall("fsync", folder) ? EIO : nil }
        let error = try #require(throws: FileError.self) {
            try FileSystem.$observer.withValue(log.observer) { try FileSystem.publish([7], to: path) }
        }
        #expect(error == FileError(errno: EIO, call: "fsync", path: scratch.path))
        #expect(error.kind == .io)
    }

    @Test func newFoldersAreFlushedIntoTheirParents() throws {
        defer { scratch.remove() }
        let log = FileCallLog()
        let folder = scratch.file("gate/2026-12-04")
        try FileSystem.$observer.withValue(log.observer) { try FileSystem.makeDirectories(folder) }
        let made = log.calls.filter { $0.name == "mkdir" || $0.name == "fsync" }
        #expect(
            made == [
                FileCall("mkdir", scratch.file("gate")), FileCall("fsync", scratch.path),
                FileCall("mkdir", folder), FileCall("fsync", scratch.file("gate")),
            ])
        #expect(FileSystem.kind(at: folder) == .directory)
        #expect(FileManager.default.createFile(atPath: scratch.file("file"), contents: Data()))
        let blocked = try #require(throws: FileError.self) { try FileSystem.makeDirectories(scratch.file("file/sub")) }
        #expect(blocked.kind == .notDirectory)
    }

    @Test func removalsReportWhatTheyDid() throws {
        defer { scratch.remove() }
        let folder = scratch.file("day")
        try FileSystem.makeDirectories(folder)
        try FileSystem.publish([1, 2, 3], to: folder + "/a.jpg")
        #expect(try FileSystem.contents(of: folder) == ["a.jpg"])
        #expect(try FileSystem.removeDirectoryIfEmpty(folder) == false)
        #expect(try FileSystem.removeFile(folder + "/a.jpg") == 3)
        #expect(try FileSystem.removeFile(folder + "/a.jpg") == nil)
        #expect(try FileSystem.removeDirectoryIfEmpty(folder) == true)
        #expect(try FileSystem.removeDirectoryIfEmpty(folder) == false)
        let missing = try #require(throws: FileError.self) { try FileSystem.contents(of: folder) }
        #expect(missing.kind == .notFound && missing.call == "opendir" && missing.path == folder)
    }

    @Test func errnoValuesMapToKinds() {
        #expect(FileError.Kind(errno: ENOSPC) == .diskFull)
        #expect(FileError.Kind(errno: EDQUOT) == .diskFull)
        #expect(FileError.Kind(errno: EROFS) == .readOnly)
        #expect(FileError.Kind(errno: EACCES) == .permissionDenied)
        #expect(FileError.Kind(errno: EPERM) == .permissionDenied)
        #expect(FileError.Kind(errno: ENOENT) == .notFound)
        #expect(FileError.Kind(errno: EEXIST) == .exists)
        #expect(FileError.Kind(errno: ENOTDIR) == .notDirectory)
        #expect(FileError.Kind(errno: EIO) == .io)
        #expect(FileError.Kind(errno: EXDEV) == .other)
        #expect(FileError(errno: EROFS, call: "open", path: "/a").description == "read-only file system opening /a (open: EROFS)")
        #expect(FileError(errno: EACCES, call: "rename", path: "/a").description == "permission denied renaming to /a (rename: EACCES)")
    }

    @Test func freeSpaceIsMeasuredAndAMissingPathIsNotFound() throws {
        defer { scratch.remove() }
        #expect(try FileSystem.freeSpace(at: scratch.path) > 0)
        let error = try #require(throws: FileError.self) { try FileSystem.freeSpace(at: scratch.file("missing")) }
        #expect(error.kind == .notFound && error.call == "statvfs")
    }

    @Test(.enabled(if: TinyFileSystem.isPermitted, "needs permission to mount a tmpfs (root)"))
    func aRealFullDiskIsReportedAsAFullDisk() throws {
        let disk = try TinyFileSystem(kilobytes: 64)
        defer { disk.unmount() }
        let error = try #require(throws: FileError.self) {
            try FileSystem.publish([UInt8](repeating: 7, count: 256 * 1024), to: disk.file("big.jpg"))
        }
        #expect(error.kind == .diskFull && error.call == "write")
        #expect(error.description.hasPrefix("disk full writing \(disk.path)/"))
        #expect(!FileSystem.exists(disk.file("big.jpg")))
    }
}
