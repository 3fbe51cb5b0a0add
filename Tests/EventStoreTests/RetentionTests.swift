import Foundation
import Testing
@testable import EventStore

@Suite struct RetentionTests {
    static let megabyte: Int64 = 1_000_000

    func usage(_ id: Int64, start: TimeInterval, end: TimeInterval? = nil, bytes: Int64) -> EventUsage {
        EventUsage(
            event: EventRecord(
                id: id, camera: "cam", start: time(start), end: end.map(time), bytes: bytes, state: .finished),
            bytes: bytes)
    }

    @Test func nothingToDoUnderEveryLimit() {
        let events = (1...5).map { usage(Int64($0), start: Double($0), bytes: 10) }
        let policy = RetentionPolicy(maxAge: .seconds(3600), maxTotalBytes: 100, minFreeBytes: 10)
        #expect(Retention.plan(events: events, policy: policy, now: time(10), freeBytes: 1000, protecting: []).isEmpty)
        #expect(Retention.plan(events: events, policy: .keepEverything, now: time(1e9), freeBytes: 0, protecting: []).isEmpty)
    }

    @Test func sizeCapDeletesOldestFirst() {
        // Given out of order: the plan sorts by start.
        let events = [
            usage(3, start: 300, bytes: 30), usage(1, start: 100, bytes: 10), usage(4, start: 400, bytes: 40),
            usage(2, start: 200, bytes: 20),
        ]
        let plan = Retention.plan(
            events: events, policy: RetentionPolicy(maxTotalBytes: 65), now: time(500), freeBytes: 0, protecting: [])
        #expect(plan == [1, 2, 3])  // 100 → 90 → 70 → 40
        let exact = Retention.plan(
            events: events, policy: RetentionPolicy(maxTotalBytes: 70), now: time(500), freeBytes: 0, protecting: [])
        #expect(exact == [1, 2])
    }

    @Test func protectedEventIsNeverDeleted() {
        let events = [usage(1, start: 100, bytes: 50), usage(2, start: 200, bytes: 50), usage(3, start: 300, bytes: 50)]
        let plan = Retention.plan(
            events: events, policy: RetentionPolicy(maxAge: .seconds(1), maxTotalBytes: 0, minFreeBytes: .max),
            now: time(10_000), freeBytes: 0, protecting: [1])
        #expect(plan == [2, 3])
        // Only a protected event left over the cap: nothing deletable, nothing chosen.
        let alone = Retention.plan(
            events: [usage(9, start: 0, bytes: 1000)], policy: RetentionPolicy(maxTotalBytes: 10),
            now: time(1), freeBytes: 0, protecting: [9])
        #expect(alone.isEmpty)
    }

    @Test func ageLimit() {
        let day: TimeInterval = 86_400
        let events = [
            usage(1, start: 0, end: 10, bytes: 1),                          // ended 30 days ago
            usage(2, start: 20 * day, end: 20 * day + 10, bytes: 1),        // 10 days ago
            usage(3, start: 29 * day - 100, end: nil, bytes: 1),            // no end: judged by start
            usage(4, start: 22 * day, end: 23 * day + 1, bytes: 1),         // started 8 days ago, ended 7 days ago - 1 s
        ]
        let policy = RetentionPolicy(maxAge: .seconds(7 * day))
        let plan = Retention.plan(events: events, policy: policy, now: time(30 * day), freeBytes: 0, protecting: [])
        #expect(plan == [1, 2])
    }

    @Test func freeSpaceLimit() {
        let events = (1...6).map { usage(Int64($0), start: Double($0), bytes: 100) }
        let policy = RetentionPolicy(minFreeBytes: 1000)
        #expect(Retention.plan(events: events, policy: policy, now: time(10), freeBytes: 750, protecting: []) == [1, 2, 3])
        #expect(Retention.plan(events: events, policy: policy, now: time(10), freeBytes: 1000, protecting: []).isEmpty)
        // Not enough to delete: everything deletable goes.
        #expect(Retention.plan(events: events, policy: policy, now: time(10), freeBytes: 0, protecting: [6]) == [1, 2, 3, 4, 5])
    }

    @Test func fiftyMegabyteCapHoldsAsEventsArrive() throws {
        let cap = 50 * Self.megabyte
        let index = try EventIndex.inMemory()
        let layout = StorageLayout(root: "/nonexistent-vigil-root")
        let policy = RetentionPolicy(maxTotalBytes: cap)
        var generator = SplitMix64(seed: 0x5EED)
        var largest: Int64 = 0
        var deleted = 0
        for step in 0..<300 {
            // Sizes from 10 kB to 12 MB, skewed small, with an occasional big one.
            let roll = generator.next() % 100
            let size: Int64 = roll < 70
                ? Int64(10_000 + generator.next() % 990_000)
                : roll < 95 ? Int64(1_000_000 + generator.next() % 4_000_000) : Int64(5_000_000 + generator.next() % 7_000_000)
            largest = max(largest, size)
            let start = time(Double(step) * 90)
            let event = try index.beginEvent(camera: step.isMultiple(of: 3) ? "a" : "b", start: start, triggers: ["pir"])
            let movie = try index.addMovie(eventID: event.id, path: "/v/\(step).mkv", start: start)
            // While recording, retention runs with the event protected.
            try index.updateMovie(id: movie.id, frames: 100, bytes: size / 2, end: nil, finished: false)
            let during = try Retention.enforce(
                policy: policy, index: index, layout: layout, now: start, protecting: [event.id], freeBytes: 0)
            #expect(!during.deletedEvents.contains(event.id))
            #expect(try index.event(id: event.id) != nil)
            #expect(try index.totalBytes() <= cap + largest)

            try index.updateMovie(id: movie.id, frames: 200, bytes: size, end: start.addingTimeInterval(8), finished: true)
            try index.finishEvent(id: event.id, end: start.addingTimeInterval(8), frames: 200, bytes: size)
            let after = try Retention.enforce(policy: policy, index: index, layout: layout, now: start, freeBytes: 0)
            deleted += after.deletedEvents.count
            let total = try index.totalBytes()
            #expect(total <= cap + largest, "step \(step): \(total) bytes")
            #expect(total <= cap, "step \(step): \(total) bytes with nothing protected")

            // What was deleted was always the oldest.
            let remaining = try index.oldestEvents(limit: 1_000)
            let deletedStarts = Set(0..<(step + 1)).subtracting(remaining.map { Int(($0.start.timeIntervalSince(baseTime) / 90).rounded()) })
            if let newestDeleted = deletedStarts.max(), let oldestKept = remaining.first {
                #expect(Double(newestDeleted) * 90 < oldestKept.start.timeIntervalSince(baseTime))
            }
        }
        #expect(deleted > 100)
        #expect(try index.totalBytes() > cap / 2)
    }

    @Test func enforceDeletesFilesAndRows() throws {
        try withScratch { scratch in
            let layout = StorageLayout(root: scratch.file("root"))
            let index = try EventIndex(path: layout.indexPath)
            var ids: [Int64] = []
            var sizes: [Int64] = []
            for step in 0..<3 {
                let start = time(Double(step) * 86_400)  // one per day, each in its own day directory
                let event = try index.beginEvent(camera: "cam", start: start)
                let moviePath = try layout.moviePath(camera: "cam", start: start)
                let snapshot = try layout.snapshotPath(camera: "cam", start: start)
                try writeFile(moviePath, bytes: 1000 * (step + 1))
                try writeFile(snapshot, bytes: 100)
                let movie = try index.addMovie(eventID: event.id, path: moviePath, start: start)
                try index.updateMovie(id: movie.id, frames: 10, bytes: Int64(1000 * (step + 1)), end: start, finished: true)
                if step == 0 {
                    // An unfinished second movie, still a partial file.
                    let partial = try layout.moviePath(camera: "cam", start: start.addingTimeInterval(5))
                    try writeFile(partial + ".partial", bytes: 50)
                    try index.addMovie(eventID: event.id, path: partial, start: start.addingTimeInterval(5))
                }
                let bytes = Int64(1000 * (step + 1) + 100 + (step == 0 ? 50 : 0))
                try index.finishEvent(id: event.id, end: start, frames: 10, bytes: bytes, snapshot: snapshot)
                ids.append(event.id)
                sizes.append(bytes)
            }
            let untracked = scratch.file("root/cam/keep.txt")
            try writeFile(untracked, bytes: 1)

            let result = try Retention.enforce(
                policy: RetentionPolicy(maxTotalBytes: 3200), index: index, layout: layout,
                now: time(3 * 86_400), protecting: [], freeBytes: nil)
            #expect(result.deletedEvents == [ids[0], ids[1]])
            #expect(result.freedBytes == sizes[0] + sizes[1])
            #expect(result.removedFiles.count == 5)
            #expect(result.failures.isEmpty)
            #expect(result.removedFiles.allSatisfy { !exists($0) })
            #expect(try index.events().map(\.id) == [ids[2]])
            #expect(try layout.allMediaFiles().count == 2)
            // Emptied day directories are gone; the camera directory and unknown files stay.
            #expect(!exists(scratch.file("root/cam/2026-03-14")) && !exists(scratch.file("root/cam/2026-03-15")))
            #expect(exists(scratch.file("root/cam/2026-03-16")) && exists(untracked))
        }
    }

    @Test func enforceMeasuresFreeSpaceAndKeepsProtected() throws {
        try withScratch { scratch in
            let layout = StorageLayout(root: scratch.path)
            let index = try EventIndex(path: layout.indexPath)
            let old = try index.beginEvent(camera: "cam", start: baseTime)
            try index.finishEvent(id: old.id, end: baseTime, frames: 0, bytes: 10)
            let live = try index.beginEvent(camera: "cam", start: time(10))
            // Demand more free space than any disk has: every unprotected event goes.
            let result = try Retention.enforce(
                policy: RetentionPolicy(minFreeBytes: .max), index: index, layout: layout,
                now: time(20), protecting: [live.id])
            #expect(result.deletedEvents == [old.id])
            #expect(try index.events().map(\.id) == [live.id])
            // No minimum: the disk is not even looked at (a missing root is fine).
            let none = try Retention.enforce(
                policy: RetentionPolicy(maxAge: .seconds(3600)), index: index,
                layout: StorageLayout(root: scratch.file("missing")), now: time(20))
            #expect(none.deletedEvents.isEmpty)
            let error = #expect(throws: EventStoreError.self) {
                try Retention.enforce(
                    policy: RetentionPolicy(minFreeBytes: 1), index: index,
                    layout: StorageLayout(root: scratch.file("missing")), now: time(20))
            }
            #expect(error?.kind == .notFound)
        }
    }

    @Test func fileThatCannotBeRemovedKeepsItsEvent() throws {
        try withScratch { scratch in
            let layout = StorageLayout(root: scratch.path)
            let index = try EventIndex.inMemory()
            let stuck = try index.beginEvent(camera: "cam", start: baseTime)
            // A non-empty directory where the movie should be: unlink fails, even for root.
            let moviePath = try layout.moviePath(camera: "cam", start: baseTime)
            try writeFile(moviePath + "/inside", bytes: 1)
            try index.addMovie(eventID: stuck.id, path: moviePath, start: baseTime)
            try index.finishEvent(id: stuck.id, end: baseTime, frames: 0, bytes: 100)
            let other = try index.beginEvent(camera: "cam", start: time(1))
            try index.finishEvent(id: other.id, end: time(1), frames: 0, bytes: 100)

            let result = try Retention.enforce(
                policy: RetentionPolicy(maxTotalBytes: 0), index: index, layout: layout, now: time(2), freeBytes: 0)
            #expect(result.deletedEvents == [other.id])
            #expect(result.failures.count == 1)
            #expect(result.failures.first?.message.contains(moviePath) == true)
            #expect(try index.event(id: stuck.id) != nil)
        }
    }
}

/// A small deterministic generator for reproducible simulations.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
