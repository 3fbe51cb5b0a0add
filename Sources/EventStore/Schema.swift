import GRDB

/// The index's migrations. Append new ones; never edit a released one.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events, movies, camera health") { db in
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("camera", .text).notNull()
                t.column("started", .double).notNull()
                t.column("ended", .double)
                t.column("triggers", .text).notNull().defaults(to: "[]")
                t.column("frames", .integer).notNull().defaults(to: 0)
                t.column("bytes", .integer).notNull().defaults(to: 0)
                t.column("snapshot", .text)
                t.column("state", .text).notNull()
                    .check(sql: "state IN ('recording', 'finished', 'interrupted')")
            }
            try db.create(index: "event_on_started", on: "event", columns: ["started"])
            try db.create(index: "event_on_camera_started", on: "event", columns: ["camera", "started"])
            try db.create(index: "event_on_state", on: "event", columns: ["state"])

            try db.create(table: "movie") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("eventID", .integer).notNull().indexed()
                    .references("event", onDelete: .cascade)
                t.column("path", .text).notNull().unique()
                t.column("started", .double).notNull()
                t.column("ended", .double)
                t.column("frames", .integer).notNull().defaults(to: 0)
                t.column("bytes", .integer).notNull().defaults(to: 0)
                t.column("finished", .boolean).notNull().defaults(to: false)
            }

            try db.create(table: "cameraHealth") { t in
                t.primaryKey("camera", .text)
                t.column("connected", .boolean).notNull()
                t.column("errors", .integer).notNull()
                t.column("reconnects", .integer).notNull()
                t.column("lastError", .text)
                t.column("lastFrame", .double)
                t.column("updated", .double).notNull()
            }
        }
        migrator.registerMigration("v2: outbox of messages awaiting a broker's acknowledgement") { db in
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("topic", .text).notNull()
                t.column("payload", .blob).notNull()
                t.column("retain", .boolean).notNull().defaults(to: false)
                t.column("created", .double).notNull()
            }
        }
        return migrator
    }()
}
