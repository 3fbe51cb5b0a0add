import Files
import Foundation
import Testing
@testable import EventStore

@Suite struct ErrorTests {
    @Test func corruptDatabaseIsATypedError() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
            #expect(FileManager.default.createFile(atPath: path, contents: garbage))
            let error = #expect(throws: EventStoreError.self) { try EventIndex(path: path) }
            #expect(error?.kind == .corrupt)
            #expect(error?.message.contains(path) == true)
            let readOnly = #expect(throws: EventStoreError.self) { try EventIndex(path: path, readOnly: true) }
            #expect(readOnly?.kind == .corrupt)
        }
    }

    @Test func damagedDatabaseIsATypedError() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            do {
                let index = try EventIndex(path: path)
                for step in 0..<50 { try index.beginEvent(camera: "c", start: time(Double(step))) }
            }
            // Keep the header, overwrite every page after the first.
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.count > 4096)
            for offset in 4096..<bytes.count { bytes[offset] = 0xFF }
            try bytes.write(to: URL(fileURLWithPath: path))
            do {
                let index = try EventIndex(path: path)
                _ = try index.events()
                Issue.record("a damaged index was read without error")
            } catch let error as EventStoreError {
                #expect(error.kind == .corrupt, "\(error)")
            } catch {
                Issue.record("untyped error: \(error)")
            }
        }
    }

    @Test func unwritableRootIsATypedError() throws {
        try withScratch { scratch in
            // A regular file where a directory should be: unwritable even for root.
            try writeFile(scratch.file("blocker"), bytes: 1)
            let layout = StorageLayout(root: scratch.file("blocker/root"))
            let open = #expect(throws: EventStoreError.self) { try EventIndex(path: layout.indexPath) }
            #expect(open?.kind == .fileSystem)
            #expect(open?.errno == ENOTDIR)
            let create = #expect(throws: EventStoreError.self) { try layout.createDirectory(camera: "c", start: baseTime) }
            #expect(create?.errno == ENOTDIR)
            let list = #expect(throws: EventStoreError.self) { try StorageLayout(root: scratch.file("blocker")).allMediaFiles() }
            #expect(list?.errno == ENOTDIR)

            // Permission bits, where they apply (not to root).
            if getuid() != 0 {
                let locked = scratch.file("locked")
                try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
                chmod(locked, 0o555)
                defer { chmod(locked, 0o755) }
                let denied = #expect(throws: EventStoreError.self) { try EventIndex(path: locked + "/sub/index.sqlite") }
                #expect(denied?.kind == .permissionDenied)
            }
        }
    }

    @Test func readOnlyOpenOfMissingOrUnmigratedFile() throws {
        try withScratch { scratch in
            let missing = #expect(throws: EventStoreError.self) {
                try EventIndex(path: scratch.file("none.sqlite"), readOnly: true)
            }
            #expect(missing?.kind == .notFound)
            let empty = scratch.file("empty.sqlite")
            try writeFile(empty, bytes: 0)
            let unmigrated = #expect(throws: EventStoreError.self) { try EventIndex(path: empty, readOnly: true) }
            #expect(unmigrated?.kind == .schema)
        }
    }

    @Test func directoryInPlaceOfTheIndex() throws {
        try withScratch { scratch in
            let error = #expect(throws: EventStoreError.self) { try EventIndex(path: scratch.path) }
            #expect(error?.kind == .cannotOpen)
        }
    }

    @Test func fileSystemErrorsKeepTheirKind() {
        let full = EventStoreError(FileError(errno: ENOSPC, call: "write", path: "/data/a.jpg"))
        #expect(full.kind == .diskFull && full.errno == ENOSPC)
        #expect(full.description == "diskFull: disk full writing /data/a.jpg (write: ENOSPC)")
        #expect(EventStoreError(FileError(errno: EROFS, call: "mkdir", path: "/data")).kind == .readOnly)
        #expect(EventStoreError(FileError(errno: EACCES, call: "mkdir", path: "/data")).kind == .permissionDenied)
        #expect(EventStoreError(FileError(errno: ENOENT, call: "statvfs", path: "/data")).kind == .notFound)
        #expect(EventStoreError(FileError(errno: ENOTDIR, call: "mkdir", path: "/data")).kind == .fileSystem)
    }

    @Test func descriptionNamesKindAndSQL() {
        let error = EventStoreError(kind: .constraint, message: "add movie", sql: "INSERT INTO movie")
        #expect(error.description == "constraint: add movie [SQL: INSERT INTO movie]")
    }
}
