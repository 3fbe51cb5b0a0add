import Foundation
import GRDB

extension EventIndex {
    /// Events newest first (by start, then id) that started at or after `since` and before
    /// `before` (each when given), only `camera`'s when it is given, at most `limit`: one page
    /// of the list, the next page asked for with `before` set to the last event's start.
    /// Throws ``EventStoreError/Kind/invalidArgument`` for a negative limit.
    public func events(since: Date?, before: Date?, camera: String?, limit: Int?) throws(EventStoreError) -> [EventRecord] {
        if let limit { try Self.requireNonNegative(limit, "limit", "list events") }
        return try read("list events") { db in
            var request = EventRow.all()
            if let since { request = request.filter(EventRow.Columns.started >= since.timeIntervalSince1970) }
            if let before { request = request.filter(EventRow.Columns.started < before.timeIntervalSince1970) }
            if let camera { request = request.filter(EventRow.Columns.camera == camera) }
            request = request.order(EventRow.Columns.started.desc, EventRow.Columns.id.desc)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db).map { $0.record() }
        }
    }

    /// The movie with this id, or nil.
    public func movie(id: Int64) throws(EventStoreError) -> MovieRecord? {
        try read("read movie \(id)") { db in
            try MovieRow.fetchOne(db, key: id)?.record()
        }
    }
}
