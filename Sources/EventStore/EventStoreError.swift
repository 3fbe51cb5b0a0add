import Files
import Foundation
import GRDB

/// The one error type thrown by this module.
///
/// Every failure — an invalid camera name, a missing row, an SQLite error, a file-system error —
/// arrives as an `EventStoreError` whose ``kind`` says what went wrong in a form callers can switch
/// on, and whose ``message`` says where (the operation, the path, and for SQLite errors the SQL).
/// SQLite errors keep their extended result code in ``sqliteCode`` and the failing statement in
/// ``sql``; file-system errors keep `errno` in ``errno``.
public struct EventStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarse enough to act on.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A camera name is not `[A-Za-z0-9_-]+` (or is longer than ``StorageLayout/maxCameraNameLength``).
        case invalidCameraName
        /// A time cannot be written in a file name (not finite, or outside the years 1...9999).
        case invalidTime
        /// A value passed in is out of range (a negative count, a negative limit...).
        case invalidArgument
        /// A row (event, movie) or a file that the operation needs does not exist.
        case notFound
        /// The database file cannot be opened (missing directory, not a file, no permission).
        case cannotOpen
        /// The file is not an SQLite database, or its contents are damaged.
        case corrupt
        /// A write was attempted on an index opened read-only, or the file is read-only.
        case readOnly
        /// The operating system refused access (`EACCES`, `EPERM`, SQLite's `SQLITE_PERM`).
        case permissionDenied
        /// The database stayed locked by another connection for longer than the busy timeout.
        case busy
        /// The disk (or the database) is full.
        case diskFull
        /// A uniqueness or foreign-key constraint failed (for example, two movies with one path).
        case constraint
        /// The database schema is not the one this module expects (not migrated, or unknown).
        case schema
        /// An input/output error from the disk.
        case io
        /// Any other file-system error (see ``EventStoreError/errno``).
        case fileSystem
        /// Any other SQLite or GRDB error.
        case database
    }

    /// What went wrong.
    public var kind: Kind
    /// A human-readable account: the operation, the path or row, and the underlying cause.
    public var message: String
    /// For SQLite errors, the statement that failed, when known.
    public var sql: String?
    /// For SQLite errors, the extended result code.
    public var sqliteCode: Int32?
    /// For file-system errors, the `errno` value.
    public var errno: Int32?

    /// Makes an error of the given kind.
    public init(kind: Kind, message: String, sql: String? = nil, sqliteCode: Int32? = nil, errno: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql
        self.sqliteCode = sqliteCode
        self.errno = errno
    }

    /// `kind: message`, followed by the SQL when there is some.
    public var description: String {
        var text = "\(kind.rawValue): \(message)"
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }
}

extension EventStoreError {
    /// Wraps any error thrown while performing `operation`; an `EventStoreError` passes through unchanged.
    static func wrapping(_ error: any Error, operation: String) -> EventStoreError {
        if let error = error as? EventStoreError { return error }
        if let error = error as? DatabaseError {
            let kind: Kind
            switch error.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_FORMAT: kind = .corrupt
            case .SQLITE_CANTOPEN: kind = .cannotOpen
            case .SQLITE_READONLY: kind = .readOnly
            case .SQLITE_PERM, .SQLITE_AUTH: kind = .permissionDenied
            case .SQLITE_BUSY, .SQLITE_LOCKED: kind = .busy
            case .SQLITE_FULL: kind = .diskFull
            case .SQLITE_CONSTRAINT: kind = .constraint
            case .SQLITE_IOERR: kind = .io
            case .SQLITE_SCHEMA: kind = .schema
            default: kind = .database
            }
            let detail = error.message ?? "SQLite error \(error.extendedResultCode.rawValue)"
            return EventStoreError(
                kind: kind, message: "\(operation): \(detail)", sql: error.sql,
                sqliteCode: error.extendedResultCode.rawValue)
        }
        return EventStoreError(kind: .database, message: "\(operation): \(error)")
    }

    /// The error for a failed file-system call: a full disk stays ``Kind/diskFull``, a
    /// read-only file system ``Kind/readOnly``, and so on; the message is the file error's
    /// description (the call, the path and the errno's name).
    public init(_ error: FileError) {
        let kind: Kind
        switch error.kind {
        case .diskFull: kind = .diskFull
        case .readOnly: kind = .readOnly
        case .permissionDenied: kind = .permissionDenied
        case .notFound: kind = .notFound
        case .io: kind = .io
        case .exists, .notDirectory, .other: kind = .fileSystem
        }
        self.init(kind: kind, message: error.description, errno: error.errno)
    }
}
