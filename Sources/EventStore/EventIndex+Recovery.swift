import Files
import Foundation
import GRDB

extension EventIndex {
    /// What ``openRecovering(path:now:)`` did with an index it could not use.
    public struct Recovery: Sendable, Hashable, CustomStringConvertible {
        /// Why the index was set aside.
        public var reason: String
        /// Where the damaged files went (the index, and its `-wal` and `-shm` where present).
        public var movedTo: [String]

        public var description: String {
            "the event index was damaged (\(reason)); moved aside to \(movedTo.joined(separator: ", ")) and started anew"
        }
    }

    /// Opens the index at `path` read-write for a recorder; an index that is not an SQLite
    /// database, fails SQLite's quick check, or cannot be migrated is moved aside (with its
    /// `-wal` and `-shm`, to `index.sqlite.damaged-YYYYMMDD-HHMMSS`) and a new one is made, so
    /// that reconciling with the files on disk can rebuild it. Other failures (permissions, a
    /// full disk) are thrown as they are.
    public static func openRecovering(path: String, now: Date = Date()) throws(EventStoreError) -> (EventIndex, Recovery?) {
        let reason: String
        do {
            let index = try EventIndex(path: path)
            let problems = try index.read("check index") { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            if problems == ["ok"] { return (index, nil) }
            reason = "SQLite's quick check: " + problems.prefix(3).joined(separator: "; ")
        } catch where error.kind == .corrupt || error.kind == .schema {
            reason = error.message
        }
        let stamp = damagedSuffix(now)
        var moved: [String] = []
        for suffix in ["", "-wal", "-shm"] where FileSystem.exists(path + suffix) {
            let target = path + stamp + suffix
            do {
                try FileSystem.publish(finished: path + suffix, as: target)
            } catch {
                throw EventStoreError(kind: .fileSystem, message: "move the damaged index \(path + suffix) aside: \(error)")
            }
            moved.append(target)
        }
        return (try EventIndex(path: path), Recovery(reason: reason, movedTo: moved))
    }

    private static func damagedSuffix(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return ".damaged-" + formatter.string(from: date)
    }
}
