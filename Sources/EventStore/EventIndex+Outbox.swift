import Foundation
import GRDB

/// A message waiting in the index's outbox until a broker acknowledged it.
public struct OutboxMessage: Sendable, Hashable {
    /// Increasing in the order the messages were put in; never reused.
    public var id: Int64
    public var topic: String
    public var payload: [UInt8]
    public var retain: Bool
    public var created: Date

    public init(id: Int64, topic: String, payload: [UInt8], retain: Bool, created: Date) {
        self.id = id
        self.topic = topic
        self.payload = payload
        self.retain = retain
        self.created = created
    }
}

extension EventIndex {
    /// Puts a message in the outbox (durably, once this returns); returns its id.
    @discardableResult
    public func enqueueOutbox(topic: String, payload: [UInt8], retain: Bool = false, created: Date = Date()) throws(EventStoreError)
        -> Int64
    {
        try write("put a message for \(topic) in the outbox") { db in
            try db.execute(
                sql: "INSERT INTO outbox (topic, payload, retain, created) VALUES (?, ?, ?, ?)",
                arguments: [topic, Data(payload), retain, created.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Up to `limit` outbox messages with ids above `afterID`, oldest first.
    public func outbox(after afterID: Int64 = 0, limit: Int = 100) throws(EventStoreError) -> [OutboxMessage] {
        try read("read the outbox") { db in
            try Row.fetchAll(
                db, sql: "SELECT id, topic, payload, retain, created FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [afterID, max(0, limit)]
            ).map { row in
                let payload: Data = row["payload"]
                return OutboxMessage(
                    id: row["id"], topic: row["topic"], payload: Array(payload), retain: row["retain"],
                    created: Date(timeIntervalSince1970: row["created"]))
            }
        }
    }

    /// How many messages wait in the outbox.
    public func outboxCount() throws(EventStoreError) -> Int {
        try read("count the outbox") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }

    /// Removes an acknowledged message from the outbox (nothing when it is gone already).
    public func removeFromOutbox(id: Int64) throws(EventStoreError) {
        try write("remove message \(id) from the outbox") { db in
            try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id])
        }
    }
}
