import Foundation
import GRDB

extension EventIndex {
    /// Events newest first (by start, then id): only those starting at or after `since` when it is
    /// given, only `camera`'s when it is given, at most `limit` when it is given.
    /// Throws ``EventStoreError/Kind/invalidArgument`` for a negative limit.
    public func events(since: Date? = nil, camera: String? = nil, limit: Int? = nil) throws(EventStoreError) -> [EventRecord] {
        try events(since: since, before: nil, camera: camera, limit: limit)
    }

    /// The event with this id, or nil.
    public func event(id: Int64) throws(EventStoreError) -> EventRecord? {
        try read("read event \(id)") { db in
            try EventRow.fetchOne(db, key: id)?.record()
        }
    }

    /// The event's movies in recording order (by start, then id); empty when there is no such event.
    public func movies(eventID: Int64) throws(EventStoreError) -> [MovieRecord] {
        try read("list movies of event \(eventID)") { db in
            try MovieRow
                .filter(MovieRow.Columns.eventID == eventID)
                .order(MovieRow.Columns.started, MovieRow.Columns.id)
                .fetchAll(db)
                .map { $0.record() }
        }
    }

    /// Every camera's latest health report, by camera name.
    public func health() throws(EventStoreError) -> [CameraHealth] {
        try read("read camera health") { db in
            try HealthRow.order(HealthRow.Columns.camera).fetchAll(db).map { $0.record() }
        }
    }

    /// Bytes on disk that the index accounts for: over all events, the larger of the event's own
    /// bytes and the sum of its movies' bytes (see ``EventUsage/bytes``).
    public func totalBytes() throws(EventStoreError) -> Int64 {
        try read("sum bytes") { db in
            try Int64.fetchOne(db, sql: """
                SELECT COALESCE(SUM(MAX(event.bytes, COALESCE(movies.total, 0))), 0)
                FROM event
                LEFT JOIN (SELECT eventID, SUM(bytes) AS total FROM movie GROUP BY eventID) AS movies
                  ON movies.eventID = event.id
                """) ?? 0
        }
    }

    /// How many events the index holds.
    public func eventCount() throws(EventStoreError) -> Int {
        try read("count events") { db in try EventRow.fetchCount(db) }
    }

    /// The `limit` oldest events, oldest first (by start, then id).
    /// Throws ``EventStoreError/Kind/invalidArgument`` for a negative limit.
    public func oldestEvents(limit: Int) throws(EventStoreError) -> [EventRecord] {
        try Self.requireNonNegative(limit, "limit", "list oldest events")
        return try read("list oldest events") { db in
            try EventRow
                .order(EventRow.Columns.started, EventRow.Columns.id)
                .limit(limit)
                .fetchAll(db)
                .map { $0.record() }
        }
    }

    /// Every event with the bytes it accounts for (see ``EventUsage/bytes``), oldest first:
    /// the input of ``Retention/plan(events:policy:now:freeBytes:protecting:)``.
    public func usage() throws(EventStoreError) -> [EventUsage] {
        try read("list event usage") { db in
            let events = try EventRow.order(EventRow.Columns.started, EventRow.Columns.id).fetchAll(db)
            var movieBytes: [Int64: Int64] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT eventID, SUM(bytes) AS total FROM movie GROUP BY eventID")
            for row in rows {
                let id: Int64? = row["eventID"]
                let total: Int64? = row["total"]
                if let id { movieBytes[id] = total ?? 0 }
            }
            return events.map { row in
                EventUsage(event: row.record(), bytes: max(row.bytes, movieBytes[row.id ?? 0] ?? 0))
            }
        }
    }
}
