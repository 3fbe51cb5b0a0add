import Foundation
import Testing

@testable import EventStore

/// A recorder's index that is damaged is set aside and made anew, never a reason not to record.
@Suite struct RecoveryTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21 14:13:20 UTC

    @Test func aHealthyIndexIsOpenedAsItIs() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            do {
                let index = try EventIndex(path: path)
                _ = try index.beginEvent(camera: "yard", start: time(0))
            }
            let (index, recovery) = try EventIndex.openRecovering(path: path, now: Self.now)
            #expect(recovery == nil)
            #expect(try index.events().count == 1)
        }
    }

    @Test func aFileThatIsNotADatabaseIsMovedAsideAndANewIndexMade() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            try Data(repeating: 0xA5, count: 8192).write(to: URL(fileURLWithPath: path))
            let (index, recovery) = try EventIndex.openRecovering(path: path, now: Self.now)
            let moved = try #require(recovery).movedTo
            #expect(moved == [path + ".damaged-20260921-141320"])
            #expect(try Data(contentsOf: URL(fileURLWithPath: moved[0])) == Data(repeating: 0xA5, count: 8192))
            #expect(try index.events().isEmpty)
            _ = try index.beginEvent(camera: "yard", start: time(0))
        }
    }

    @Test func aTruncatedIndexWithoutItsWALIsMovedAsideAndANewIndexMade() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            do {
                let index = try EventIndex(path: path)
                for second in 0..<300 {
                    let event = try index.beginEvent(camera: "yard", start: time(Double(second)), triggers: ["pir"])
                    try index.finishEvent(id: event.id, end: time(Double(second) + 0.5), frames: 3, bytes: 1000)
                }
            }
            // The WAL and shared-memory files gone, the database cut in half.
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            let size = try handle.seekToEnd()
            try handle.truncate(atOffset: size / 2)
            try handle.close()
            let (index, recovery) = try EventIndex.openRecovering(path: path, now: Self.now)
            #expect(recovery != nil, "a database cut in half must not pass the quick check")
            #expect(try index.events().isEmpty)
        }
    }
}
