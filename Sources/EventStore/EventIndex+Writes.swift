import Foundation
import GRDB

extension EventIndex {
    /// Starts an event: inserts a row in state ``EventRecord/State/recording`` with no end, no
    /// movies, zero frames and bytes, and `triggers` without repeats (first occurrence kept).
    /// Returns the stored record with its new id. Throws ``EventStoreError/Kind/invalidCameraName``
    /// for a bad camera name.
    @discardableResult
    public func beginEvent(camera: String, start: Date, triggers: [String] = []) throws(EventStoreError) -> EventRecord {
        try StorageLayout.validate(camera: camera)
        return try write("begin event for \(camera)") { db in
            var row = EventRow(
                id: nil, camera: camera, started: start, ended: nil, triggers: Self.unique(triggers),
                frames: 0, bytes: 0, snapshot: nil, state: EventRecord.State.recording.rawValue)
            try row.insert(db)
            return row.record()
        }
    }

    /// Adds `trigger` to the event's triggers unless it is already there.
    /// Throws ``EventStoreError/Kind/notFound`` when there is no such event.
    public func addTrigger(eventID: Int64, _ trigger: String) throws(EventStoreError) {
        let operation = "add trigger \(String(reflecting: trigger)) to event \(eventID)"
        try write(operation) { db in
            var row = try Self.fetchEvent(db, id: eventID, operation: operation)
            guard !row.triggers.contains(trigger) else { return }
            row.triggers.append(trigger)
            try row.update(db)
        }
    }

    /// Adds a movie to an event: `path` is the finished movie's path (a trailing `.partial` is
    /// removed before storing), `start` its first frame's time. The movie starts unfinished with
    /// zero frames and bytes. Returns the stored record.
    /// Throws ``EventStoreError/Kind/notFound`` when there is no such event, and
    /// ``EventStoreError/Kind/constraint`` when another movie already has this path.
    @discardableResult
    public func addMovie(eventID: Int64, path: String, start: Date) throws(EventStoreError) -> MovieRecord {
        let operation = "add movie \(path) to event \(eventID)"
        let stored = path.hasSuffix(StorageLayout.partialSuffix)
            ? String(path.dropLast(StorageLayout.partialSuffix.count)) : path
        return try write(operation) { db in
            _ = try Self.fetchEvent(db, id: eventID, operation: operation)
            var row = MovieRow(
                id: nil, eventID: eventID, path: stored, started: start, ended: nil,
                frames: 0, bytes: 0, finished: false)
            try row.insert(db)
            return row.record()
        }
    }

    /// Records a movie's progress: sets its frames, bytes and finished flag, and its end when
    /// `end` is not nil (nil keeps the previous end). Call it with `finished: true` once the file
    /// has been renamed to its final path.
    /// Throws ``EventStoreError/Kind/notFound`` when there is no such movie, and
    /// ``EventStoreError/Kind/invalidArgument`` for negative counts.
    public func updateMovie(id: Int64, frames: Int, bytes: Int64, end: Date?, finished: Bool) throws(EventStoreError) {
        let operation = "update movie \(id)"
        try Self.requireNonNegative(frames, "frames", operation)
        try Self.requireNonNegative(bytes, "bytes", operation)
        try write(operation) { db in
            guard var row = try MovieRow.fetchOne(db, key: id) else {
                throw EventStoreError(kind: .notFound, message: "\(operation): no movie \(id)")
            }
            row.frames = frames
            row.bytes = bytes
            if let end { row.ended = end }
            row.finished = finished
            try row.update(db)
        }
    }

    /// Closes an event normally: state ``EventRecord/State/finished``, its end, its totals
    /// (`bytes` should count every file of the event, snapshot included) and its snapshot's path
    /// (nil when none was written). Calling it again overwrites the same fields.
    /// Throws ``EventStoreError/Kind/notFound`` when there is no such event.
    public func finishEvent(id: Int64, end: Date, frames: Int, bytes: Int64, snapshot: String? = nil) throws(EventStoreError) {
        let operation = "finish event \(id)"
        try Self.requireNonNegative(frames, "frames", operation)
        try Self.requireNonNegative(bytes, "bytes", operation)
        try write(operation) { db in
            var row = try Self.fetchEvent(db, id: id, operation: operation)
            row.ended = end
            row.frames = frames
            row.bytes = bytes
            row.snapshot = snapshot
            row.state = EventRecord.State.finished.rawValue
            try row.update(db)
        }
    }

    /// Marks an event ``EventRecord/State/interrupted``: the recorder stopped without finishing it.
    /// When it has no end yet, its end becomes the latest end (or start) among its movies, or its
    /// own start; its frames and bytes become at least the sums over its movies.
    /// Throws ``EventStoreError/Kind/notFound`` when there is no such event.
    public func markInterrupted(eventID: Int64) throws(EventStoreError) {
        let operation = "mark event \(eventID) interrupted"
        try write(operation) { db in
            var row = try Self.fetchEvent(db, id: eventID, operation: operation)
            let movies = try MovieRow.filter(MovieRow.Columns.eventID == eventID).fetchAll(db)
            if row.ended == nil {
                row.ended = movies.map { $0.ended ?? $0.started }.max() ?? row.started
            }
            row.frames = max(row.frames, movies.reduce(0) { $0 + $1.frames })
            row.bytes = max(row.bytes, movies.reduce(0) { $0 + $1.bytes })
            row.state = EventRecord.State.interrupted.rawValue
            try row.update(db)
        }
    }

    /// Deletes an event's row and its movies' rows (files are left alone: see ``Retention``).
    /// Returns false when there was no such event.
    @discardableResult
    public func deleteEvent(id: Int64) throws(EventStoreError) -> Bool {
        try write("delete event \(id)") { db in
            try EventRow.deleteOne(db, key: id)
        }
    }

    /// Stores a camera's health, replacing the previous report for that camera.
    /// Throws ``EventStoreError/Kind/invalidCameraName`` for a bad name and
    /// ``EventStoreError/Kind/invalidArgument`` for negative counts.
    public func recordHealth(_ health: CameraHealth) throws(EventStoreError) {
        let operation = "record health of \(health.camera)"
        try StorageLayout.validate(camera: health.camera)
        try Self.requireNonNegative(health.errors, "errors", operation)
        try Self.requireNonNegative(health.reconnects, "reconnects", operation)
        try write(operation) { db in
            try HealthRow(health).insert(db, onConflict: .replace)
        }
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
