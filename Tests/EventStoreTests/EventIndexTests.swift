import Foundation
import Testing
@testable import EventStore

@Suite struct EventIndexTests {
    static let migrations = ["v1: events, movies, camera health", "v2: outbox of messages awaiting a broker's acknowledgement"]

    @Test func migratesAnEmptyFile() throws {
        try withScratch { scratch in
            let path = scratch.file("deep/er/index.sqlite")
            let index = try EventIndex(path: path)
            #expect(exists(path))
            #expect(try index.appliedMigrations() == Self.migrations)
            #expect(try index.events().isEmpty)
            #expect(try index.totalBytes() == 0)
            #expect(try index.eventCount() == 0)
            // Reopening applies nothing new and keeps the rows.
            try index.beginEvent(camera: "cam", start: baseTime)
            let again = try EventIndex(path: path)
            #expect(try again.appliedMigrations() == Self.migrations)
            #expect(try again.events().count == 1)
            #expect(try again.eventCount() == 1)

            // An existing, empty (zero-byte) file is migrated too.
            let empty = scratch.file("empty.sqlite")
            try writeFile(empty, bytes: 0)
            #expect(try EventIndex(path: empty).appliedMigrations().count == Self.migrations.count)
        }
    }

    @Test func usesWAL() throws {
        try withScratch { scratch in
            let index = try EventIndex(path: scratch.file("index.sqlite"))
            #expect(try index.journalMode() == "wal")
            let reader = try EventIndex(path: scratch.file("index.sqlite"), readOnly: true)
            #expect(try reader.journalMode() == "wal")
            #expect(try EventIndex.inMemory().journalMode() == "memory")
        }
    }

    @Test func readerSeesCommittedEventsWhileWriterHoldsThePool() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            let writer = try EventIndex(path: path)
            let first = try writer.beginEvent(camera: "cam", start: baseTime, triggers: ["pir"])
            let reader = try EventIndex(path: path, readOnly: true)
            #expect(reader.isReadOnly)
            #expect(try reader.events().map(\.id) == [first.id])

            // A write committed after the reader opened is visible to it.
            let second = try writer.beginEvent(camera: "cam", start: time(60))
            try writer.finishEvent(id: first.id, end: time(10), frames: 250, bytes: 1000)
            #expect(try reader.events().map(\.id) == [second.id, first.id])
            #expect(try reader.event(id: first.id)?.state == .finished)

            // While the writer is inside a transaction, the reader is not blocked and sees only
            // what was committed.
            var seenDuring: [Int64] = []
            try writer.insertEvent(camera: "cam", start: time(120)) {
                seenDuring = try reader.events().map(\.id)
            }
            #expect(seenDuring == [second.id, first.id])
            #expect(try reader.events().count == 3)

            // The reader cannot write.
            let error = #expect(throws: EventStoreError.self) { try reader.beginEvent(camera: "cam", start: baseTime) }
            #expect(error?.kind == .readOnly)
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs /usr/bin/sqlite3 (Debian package sqlite3)"))
    func readerInAnotherProcessWhileWriterIsInATransaction() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            let writer = try EventIndex(path: path)
            try writer.beginEvent(camera: "cam", start: baseTime)
            try writer.beginEvent(camera: "cam", start: time(1))
            var seen = ""
            try writer.insertEvent(camera: "cam", start: time(2)) {
                seen = try Self.sqlite3(path, "SELECT count(*), group_concat(state) FROM event")
            }
            #expect(seen == "2|recording,recording")
            #expect(try Self.sqlite3(path, "SELECT count(*) FROM event") == "3")
            #expect(try Self.sqlite3(path, "PRAGMA journal_mode") == "wal")
        }
    }

    /// Runs the sqlite3 shell read-only on `path` and returns its trimmed output.
    static func sqlite3(_ path: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-readonly", path, sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func readersInOtherThreadsWhileWriting() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.file("index.sqlite")
        let writer = try EventIndex(path: path)
        let reader = try EventIndex(path: path, readOnly: true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for step in 0..<200 {
                    let event = try writer.beginEvent(camera: "cam", start: time(Double(step)))
                    try writer.finishEvent(id: event.id, end: time(Double(step) + 0.5), frames: 1, bytes: 1)
                }
            }
            group.addTask {
                var last = 0
                for _ in 0..<200 {
                    let count = try reader.events().count
                    #expect(count >= last)
                    last = count
                }
            }
            try await group.waitForAll()
        }
        #expect(try reader.events().count == 200)
        #expect(try reader.totalBytes() == 200)
    }

    @Test func readOnlyOpenOfAClosedIndex() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            do {
                let writer = try EventIndex(path: path)
                try writer.beginEvent(camera: "cam", start: baseTime)
            }
            // The writer is gone (its WAL checkpointed and removed); a reader still opens.
            let reader = try EventIndex(path: path, readOnly: true)
            #expect(try reader.events().count == 1)
        }
    }

    @Test func eventLifecycle() throws {
        let index = try EventIndex.inMemory()
        let event = try index.beginEvent(camera: "front", start: baseTime, triggers: ["pir", "pir", "camera-motion"])
        #expect(event.camera == "front")
        #expect(event.start == baseTime)
        #expect(event.end == nil)
        #expect(event.triggers == ["pir", "camera-motion"])
        #expect(event.state == .recording)
        #expect(event.frames == 0 && event.bytes == 0 && event.snapshot == nil)
        #expect(try index.event(id: event.id) == event)

        try index.addTrigger(eventID: event.id, "software-motion")
        try index.addTrigger(eventID: event.id, "pir")
        #expect(try index.event(id: event.id)?.triggers == ["pir", "camera-motion", "software-motion"])

        let first = try index.addMovie(eventID: event.id, path: "/r/front/a.mkv", start: baseTime)
        #expect(first.eventID == event.id && first.path == "/r/front/a.mkv" && first.start == baseTime)
        #expect(!first.finished && first.frames == 0 && first.bytes == 0 && first.end == nil)
        try index.updateMovie(id: first.id, frames: 100, bytes: 4000, end: nil, finished: false)
        #expect(try index.totalBytes() == 4000)
        try index.updateMovie(id: first.id, frames: 250, bytes: 10_000, end: time(10), finished: true)
        let second = try index.addMovie(eventID: event.id, path: "/r/front/b.mkv.partial", start: time(10))
        #expect(second.path == "/r/front/b.mkv")
        try index.updateMovie(id: second.id, frames: 50, bytes: 2000, end: time(12), finished: false)
        try index.updateMovie(id: second.id, frames: 60, bytes: 2500, end: nil, finished: true)

        let movies = try index.movies(eventID: event.id)
        #expect(movies.map(\.id) == [first.id, second.id])
        #expect(movies[0] == MovieRecord(
            id: first.id, eventID: event.id, path: "/r/front/a.mkv", start: baseTime, end: time(10),
            frames: 250, bytes: 10_000, finished: true))
        #expect(movies[1].end == time(12) && movies[1].frames == 60 && movies[1].finished)
        #expect(try index.totalBytes() == 12_500)

        try index.finishEvent(id: event.id, end: time(12), frames: 310, bytes: 12_900, snapshot: "/r/front/a.jpg")
        let finished = try #require(try index.event(id: event.id))
        #expect(finished.state == .finished)
        #expect(finished.end == time(12))
        #expect(finished.frames == 310 && finished.bytes == 12_900 && finished.snapshot == "/r/front/a.jpg")
        #expect(try index.totalBytes() == 12_900)

        #expect(try index.deleteEvent(id: event.id))
        #expect(try index.event(id: event.id) == nil)
        #expect(try index.movies(eventID: event.id).isEmpty)
        #expect(try !index.deleteEvent(id: event.id))
        #expect(try index.totalBytes() == 0)
    }

    @Test func markInterruptedTakesEndAndTotalsFromMovies() throws {
        let index = try EventIndex.inMemory()
        let event = try index.beginEvent(camera: "c", start: baseTime)
        let movie = try index.addMovie(eventID: event.id, path: "/m1.mkv", start: baseTime)
        try index.updateMovie(id: movie.id, frames: 30, bytes: 300, end: time(3), finished: false)
        try index.markInterrupted(eventID: event.id)
        let interrupted = try #require(try index.event(id: event.id))
        #expect(interrupted.state == .interrupted)
        #expect(interrupted.end == time(3))
        #expect(interrupted.frames == 30 && interrupted.bytes == 300)

        let bare = try index.beginEvent(camera: "c", start: time(100))
        try index.markInterrupted(eventID: bare.id)
        #expect(try index.event(id: bare.id)?.end == time(100))
    }

    @Test func queries() throws {
        let index = try EventIndex.inMemory()
        var ids: [String: [Int64]] = [:]
        for step in 0..<10 {
            let camera = step.isMultiple(of: 2) ? "even" : "odd"
            let event = try index.beginEvent(camera: camera, start: time(Double(step) * 60))
            try index.finishEvent(id: event.id, end: time(Double(step) * 60 + 5), frames: 5, bytes: Int64(step + 1))
            ids[camera, default: []].append(event.id)
        }
        let all = try index.events()
        #expect(all.count == 10)
        #expect(all.map(\.start) == all.map(\.start).sorted(by: >))
        #expect(try index.events(camera: "odd").map(\.id) == ids["odd", default: []].reversed())
        #expect(try index.events(since: time(300)).count == 5)
        #expect(try index.events(since: time(300), camera: "even", limit: 2).map(\.start) == [time(480), time(360)])
        #expect(try index.events(limit: 0).isEmpty)
        #expect(try index.events(camera: "nobody").isEmpty)
        #expect(try index.oldestEvents(limit: 3).map(\.start) == [time(0), time(60), time(120)])
        #expect(try index.totalBytes() == 55)
        let usage = try index.usage()
        #expect(usage.map(\.bytes) == Array(1...10).map(Int64.init))
        let error = #expect(throws: EventStoreError.self) { try index.events(limit: -1) }
        #expect(error?.kind == .invalidArgument)
    }

    @Test func totalBytesCountsMoviesOfEventsInProgress() throws {
        let index = try EventIndex.inMemory()
        let done = try index.beginEvent(camera: "c", start: baseTime)
        try index.finishEvent(id: done.id, end: time(1), frames: 1, bytes: 1000)
        let live = try index.beginEvent(camera: "c", start: time(10))
        let movie = try index.addMovie(eventID: live.id, path: "/live.mkv", start: time(10))
        try index.updateMovie(id: movie.id, frames: 10, bytes: 700, end: nil, finished: false)
        #expect(try index.totalBytes() == 1700)
        #expect(try index.usage().map(\.bytes) == [1000, 700])
    }

    @Test func healthIsUpsertedPerCamera() throws {
        let index = try EventIndex.inMemory()
        #expect(try index.health().isEmpty)
        let front = CameraHealth(camera: "front", connected: true, updated: baseTime)
        try index.recordHealth(front)
        try index.recordHealth(CameraHealth(
            camera: "back", connected: false, errors: 3, reconnects: 2, lastError: "timeout",
            lastFrame: time(-5), updated: baseTime))
        #expect(try index.health() == [
            CameraHealth(
                camera: "back", connected: false, errors: 3, reconnects: 2, lastError: "timeout",
                lastFrame: time(-5), updated: baseTime),
            front,
        ])
        let later = CameraHealth(
            camera: "front", connected: false, errors: 1, reconnects: 0, lastError: "no sync",
            lastFrame: time(1), updated: time(2))
        try index.recordHealth(later)
        #expect(try index.health().count == 2)
        #expect(try index.health().last == later)

        let error = #expect(throws: EventStoreError.self) {
            try index.recordHealth(CameraHealth(camera: "bad name", connected: true, updated: baseTime))
        }
        #expect(error?.kind == .invalidCameraName)
    }

    @Test func writesToMissingRowsAreTyped() throws {
        let index = try EventIndex.inMemory()
        let cases: [(String, () throws -> Void)] = [
            ("addTrigger", { try index.addTrigger(eventID: 42, "pir") }),
            ("addMovie", { _ = try index.addMovie(eventID: 42, path: "/x.mkv", start: baseTime) }),
            ("updateMovie", { try index.updateMovie(id: 42, frames: 1, bytes: 1, end: nil, finished: true) }),
            ("finishEvent", { try index.finishEvent(id: 42, end: baseTime, frames: 0, bytes: 0) }),
            ("markInterrupted", { try index.markInterrupted(eventID: 42) }),
        ]
        for (name, body) in cases {
            do {
                try body()
                Issue.record("\(name) did not throw")
            } catch let error as EventStoreError {
                #expect(error.kind == .notFound, "\(name): \(error)")
            } catch {
                Issue.record("\(name) threw an untyped error: \(error)")
            }
        }
        let invalid = #expect(throws: EventStoreError.self) { try index.beginEvent(camera: "a/b", start: baseTime) }
        #expect(invalid?.kind == .invalidCameraName)
    }

    @Test func duplicateMoviePathIsAConstraintError() throws {
        let index = try EventIndex.inMemory()
        let event = try index.beginEvent(camera: "c", start: baseTime)
        try index.addMovie(eventID: event.id, path: "/same.mkv", start: baseTime)
        let error = #expect(throws: EventStoreError.self) {
            try index.addMovie(eventID: event.id, path: "/same.mkv", start: baseTime)
        }
        #expect(error?.kind == .constraint)
        #expect(error?.sql?.contains("INSERT") == true)
        #expect(error?.sqliteCode != nil)
    }

    @Test func idsAreNotReused() throws {
        let index = try EventIndex.inMemory()
        let first = try index.beginEvent(camera: "c", start: baseTime)
        try index.deleteEvent(id: first.id)
        let second = try index.beginEvent(camera: "c", start: baseTime)
        #expect(second.id > first.id)
    }
}

@Suite struct OutboxTests {
    @Test func messagesComeOutInOrderAndStayUntilRemovedAcrossReopening() throws {
        try withScratch { scratch in
            let path = scratch.file("index.sqlite")
            let index = try EventIndex(path: path)
            let first = try index.enqueueOutbox(topic: "vigil/n/events", payload: Array("one".utf8))
            let second = try index.enqueueOutbox(topic: "vigil/n/events", payload: [0, 255], retain: true)
            #expect(second > first)
            try index.removeFromOutbox(id: first)
            let reopened = try EventIndex(path: path)
            let left = try reopened.outbox()
            #expect(left.map(\.id) == [second])
            #expect(left.first?.payload == [0, 255] && left.first?.retain == true)
            #expect(try reopened.outbox(after: second).isEmpty)
            #expect(try reopened.outboxCount() == 1)
            // An id, once used, is never handed out again.
            try reopened.removeFromOutbox(id: second)
            #expect(try reopened.enqueueOutbox(topic: "t", payload: []) > second)
        }
    }
}
