import CameraDrivers
import EventStore
import Files
import Foundation
import Recorder
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A snapshot that meets a full disk is reported as a full disk, not as a generic I/O error,
/// and the event's movie is recorded all the same.
@Suite struct SnapshotDiskFullTests {
    @Test func aFullDiskWhileWritingTheSnapshotIsReportedAsAFullDisk() async throws {
        let settings = EventMachine<CapturedFrame>.Settings(
            preCapture: .seconds(1), postCapture: .seconds(2), eventGap: .seconds(5), maxMovieLength: .seconds(60))
        let rig = try RecorderRig(visits: [.init(start: 3, length: 4)], events: settings)
        defer { rig.removeStorage() }
        // Snapshots are published from a temporary file `.NAME.jpg.RANDOM.tmp`: its writes fail.
        let log = FileCallLog { call in
            call.name == "write" && FileSystem.lastComponent(of: call.path).contains(".jpg.") ? ENOSPC : nil
        }
        let status = try await FileSystem.$observer.withValue(log.observer) { try await rig.record(for: .seconds(20)) }

        #expect(log.calls.contains { $0.name == "write" && $0.path.contains(".jpg.") }, "no snapshot was attempted")
        let errors = status.current.recentErrors
        #expect(
            errors.contains { $0.contains("snapshot: disk full writing \(rig.root)/") && $0.hasSuffix("(write: ENOSPC)") },
            "\(errors)")
        let events = try rig.index.events()
        #expect(events.count == 1 && events.first?.snapshot == nil, "\(events)")
        let movies = try events.flatMap { try rig.index.movies(eventID: $0.id) }
        #expect(!movies.isEmpty && movies.allSatisfy(\.finished), "\(movies)")
    }
}
