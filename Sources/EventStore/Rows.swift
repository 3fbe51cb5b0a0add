import Foundation
import GRDB

// The database rows behind the public records. They are kept internal so that the public records
// carry no GRDB conformances, and so that column names ("started", not the keyword "end") are free.
// Dates are stored as REAL seconds since 1970 (readable with SQLite's `datetime(x, 'unixepoch')`).

/// Shared date storage for the rows.
protocol UnixTimeRecord: FetchableRecord, EncodableRecord {}

extension UnixTimeRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .timeIntervalSince1970
    }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .timeIntervalSince1970
    }
}

struct EventRow: Codable, UnixTimeRecord, MutablePersistableRecord, TableRecord {
    static let databaseTableName = "event"

    var id: Int64?
    var camera: String
    var started: Date
    var ended: Date?
    var triggers: [String]
    var frames: Int
    var bytes: Int64
    var snapshot: String?
    var state: String

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let camera = Column(CodingKeys.camera)
        static let started = Column(CodingKeys.started)
        static let ended = Column(CodingKeys.ended)
        static let triggers = Column(CodingKeys.triggers)
        static let frames = Column(CodingKeys.frames)
        static let bytes = Column(CodingKeys.bytes)
        static let snapshot = Column(CodingKeys.snapshot)
        static let state = Column(CodingKeys.state)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The public record; a row read from the database always has an id.
    func record() -> EventRecord {
        EventRecord(
            id: id ?? 0, camera: camera, start: started, end: ended, triggers: triggers,
            frames: frames, bytes: bytes, snapshot: snapshot,
            state: EventRecord.State(rawValue: state) ?? .interrupted)
    }
}

struct MovieRow: Codable, UnixTimeRecord, MutablePersistableRecord, TableRecord {
    static let databaseTableName = "movie"

    var id: Int64?
    var eventID: Int64
    var path: String
    var started: Date
    var ended: Date?
    var frames: Int
    var bytes: Int64
    var finished: Bool

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let eventID = Column(CodingKeys.eventID)
        static let path = Column(CodingKeys.path)
        static let started = Column(CodingKeys.started)
        static let ended = Column(CodingKeys.ended)
        static let frames = Column(CodingKeys.frames)
        static let bytes = Column(CodingKeys.bytes)
        static let finished = Column(CodingKeys.finished)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    func record() -> MovieRecord {
        MovieRecord(
            id: id ?? 0, eventID: eventID, path: path, start: started, end: ended,
            frames: frames, bytes: bytes, finished: finished)
    }
}

struct HealthRow: Codable, UnixTimeRecord, PersistableRecord, TableRecord {
    static let databaseTableName = "cameraHealth"

    var camera: String
    var connected: Bool
    var errors: Int
    var reconnects: Int
    var lastError: String?
    var lastFrame: Date?
    var updated: Date

    enum Columns {
        static let camera = Column(CodingKeys.camera)
    }

    init(_ health: CameraHealth) {
        camera = health.camera
        connected = health.connected
        errors = health.errors
        reconnects = health.reconnects
        lastError = health.lastError
        lastFrame = health.lastFrame
        updated = health.updated
    }

    func record() -> CameraHealth {
        CameraHealth(
            camera: camera, connected: connected, errors: errors, reconnects: reconnects,
            lastError: lastError, lastFrame: lastFrame, updated: updated)
    }
}
