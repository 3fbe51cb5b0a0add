import Files
import Foundation
import GRDB
import Synchronization

/// The index of events, movies and camera health: an SQLite database (through GRDB) in WAL mode.
///
/// One process writes (the recorder, through an index opened with `readOnly: false`); any number of
/// others may read at the same time (`vigil status` and `vigil events`, with `readOnly: true`) and
/// see every committed write without blocking the writer. Within a process an instance may be used
/// from any thread: writes are serialized, reads run concurrently.
///
/// Every method throws ``EventStoreError`` only; SQLite errors are wrapped with the operation and
/// the SQL that failed. Writes on a read-only index throw ``EventStoreError/Kind/readOnly``.
public final class EventIndex: Sendable {
    /// The database file's path; nil for an in-memory index.
    public let path: String?
    /// Whether the index was opened read-only.
    public let isReadOnly: Bool

    /// The open database; ``reopen()`` replaces it.
    private struct Connection: Sendable {
        let reader: any DatabaseReader
        let writer: (any DatabaseWriter)?
    }
    private let connection: Mutex<Connection>

    /// Opens the index at `path`.
    ///
    /// - Read-write (the default): creates the file's directory and the file when missing, turns on
    ///   WAL mode, and applies pending migrations. Use one read-write index per file and process.
    /// - Read-only: opens an existing, migrated index for reading while another process writes;
    ///   throws ``EventStoreError/Kind/notFound`` when there is no file, and
    ///   ``EventStoreError/Kind/schema`` when it was never migrated.
    ///
    /// A file that is not an SQLite database throws ``EventStoreError/Kind/corrupt``; a directory
    /// that cannot be created or written throws ``EventStoreError/Kind/permissionDenied``,
    /// ``EventStoreError/Kind/readOnly``, ``EventStoreError/Kind/cannotOpen`` or
    /// ``EventStoreError/Kind/fileSystem``.
    public init(path: String, readOnly: Bool = false) throws(EventStoreError) {
        switch FileSystem.kind(at: path) {
        case .file:
            break
        case nil:
            if readOnly {
                throw EventStoreError(kind: .notFound, message: "open index read-only: no file at \(path)")
            }
            try Self.makeFolder(of: path)
        case .directory, .other:
            throw EventStoreError(kind: .cannotOpen, message: "open index: \(path) is not a regular file")
        }

        connection = Mutex(try Self.connect(path: path, readOnly: readOnly))
        self.path = path
        isReadOnly = readOnly
    }

    private static func connect(path: String, readOnly: Bool) throws(EventStoreError) -> Connection {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(5)
        configuration.label = "EventIndex"
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw EventStoreError.wrapping(error, operation: "open index at \(path)")
        }
        if readOnly {
            let migrated: Bool
            do {
                migrated = try pool.read { db in try Schema.migrator.hasCompletedMigrations(db) }
            } catch {
                throw EventStoreError.wrapping(error, operation: "read schema of \(path)")
            }
            guard migrated else {
                throw EventStoreError(
                    kind: .schema, message: "index at \(path) is not migrated: open it read-write (start the recorder) first")
            }
            return Connection(reader: pool, writer: nil)
        } else {
            do {
                try Schema.migrator.migrate(pool)
            } catch {
                throw EventStoreError.wrapping(error, operation: "migrate index at \(path)")
            }
            return Connection(reader: pool, writer: pool)
        }
    }

    /// Opens the file at ``path`` afresh, read-write or read-only as before, in place of the
    /// open database: after the storage came back (a storage folder deleted and made again) the
    /// open handles still point at the deleted file. A missing file is created and migrated
    /// (read-write). Reads and writes in flight finish on the old database. Throws as
    /// ``init(path:readOnly:)`` does; an in-memory index throws ``EventStoreError/Kind/invalidArgument``.
    public func reopen() throws(EventStoreError) {
        guard let path else {
            throw EventStoreError(kind: .invalidArgument, message: "reopen index: an in-memory index has no file")
        }
        if !isReadOnly && FileSystem.kind(at: path) == nil { try Self.makeFolder(of: path) }
        let fresh = try Self.connect(path: path, readOnly: isReadOnly)
        connection.withLock { $0 = fresh }
    }

    private static func makeFolder(of path: String) throws(EventStoreError) {
        do {
            try FileSystem.makeDirectories(FileSystem.parentDirectory(of: path))
        } catch {
            throw EventStoreError(error)
        }
    }

    private init(queue: DatabaseQueue) {
        connection = Mutex(Connection(reader: queue, writer: queue))
        path = nil
        isReadOnly = false
    }

    /// A fresh, private, migrated in-memory index, for tests. It is not shared with anything.
    public static func inMemory() throws(EventStoreError) -> EventIndex {
        do {
            let queue = try DatabaseQueue()
            try Schema.migrator.migrate(queue)
            return EventIndex(queue: queue)
        } catch {
            throw EventStoreError.wrapping(error, operation: "open in-memory index")
        }
    }

    // MARK: - Access

    /// Runs `body` in a write transaction, wrapping errors with `operation`.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(EventStoreError) -> T {
        guard let writer = connection.withLock({ $0.writer }) else {
            throw EventStoreError(kind: .readOnly, message: "\(operation): the index was opened read-only")
        }
        do {
            return try writer.write(body)
        } catch {
            throw EventStoreError.wrapping(error, operation: operation)
        }
    }

    /// Runs `body` in a read transaction, wrapping errors with `operation`.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(EventStoreError) -> T {
        do {
            return try connection.withLock({ $0.reader }).read(body)
        } catch {
            throw EventStoreError.wrapping(error, operation: operation)
        }
    }

    /// SQLite's journal mode for this index (`"wal"` for a file, `"memory"` in memory).
    func journalMode() throws(EventStoreError) -> String {
        try read("read journal mode") { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
        }
    }

    /// The migrations applied to this index, oldest first.
    func appliedMigrations() throws(EventStoreError) -> [String] {
        try read("read migrations") { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// Test hook: inserts an event inside a write transaction and calls `body` before committing it.
    func insertEvent(camera: String, start: Date, beforeCommit body: () throws -> Void) throws(EventStoreError) {
        try write("insert event before commit") { db in
            var row = EventRow(
                id: nil, camera: camera, started: start, ended: nil, triggers: [], frames: 0, bytes: 0,
                snapshot: nil, state: EventRecord.State.recording.rawValue)
            try row.insert(db)
            try body()
        }
    }

    static func requireNonNegative(_ value: some BinaryInteger, _ name: String, _ operation: String) throws(EventStoreError) {
        if value < 0 {
            throw EventStoreError(kind: .invalidArgument, message: "\(operation): \(name) must not be negative (got \(value))")
        }
    }

    static func fetchEvent(_ db: Database, id: Int64, operation: String) throws -> EventRow {
        guard let row = try EventRow.fetchOne(db, key: id) else {
            throw EventStoreError(kind: .notFound, message: "\(operation): no event \(id)")
        }
        return row
    }
}
