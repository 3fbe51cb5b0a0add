import CameraDrivers
import EventStore
import Files
import Foundation
import Recorder
import Testing

/// Events without movies (`events: movies: false`): each keeps its row and its snapshot, and
/// nothing else is written.
@Suite struct SnapshotsOnlyTests {
    @Test func eachEventHasItsRowAndSnapshotAndNoMovie() async throws {
        let settings = EventMachine<CapturedFrame>.Settings(
            preCapture: .seconds(2), postCapture: .seconds(2), eventGap: .seconds(4), maxMovieLength: .seconds(3), movies: false)
        let rig = try RecorderRig(visits: [.init(start: 3, length: 5), .init(start: 20, length: 3)], events: settings)
        defer { rig.removeStorage() }
        let status = try await rig.record(for: .seconds(35))

        #expect(status.current.recentErrors.isEmpty, "\(status.current.recentErrors)")
        let events = try rig.index.events().sorted { $0.start < $1.start }
        #expect(events.count == 2, "\(events)")
        for event in events {
            #expect(event.state == .finished, "\(event)")
            let snapshot = try #require(event.snapshot, "event \(event.id) has no snapshot")
            // The event's bytes are its snapshot's; no frame went into a movie.
            #expect(event.bytes == (try FileSystem.status(of: snapshot).size), "\(event)")
            #expect(event.frames == 0, "\(event)")
            #expect(try rig.index.movies(eventID: event.id).isEmpty)
        }
        // The snapshot is the frame that began the event: the PIR's edge, not a pre-capture frame.
        if let first = events.first { #expect(first.start >= rig.date(3) && first.start < rig.date(4), "\(first.start)") }
        let files = FileManager.default.enumerator(atPath: rig.root)?.compactMap { $0 as? String } ?? []
        #expect(!files.contains { $0.contains(".mkv") }, "\(files)")
        #expect(files.filter { $0.hasSuffix(".jpg") }.count == 2, "\(files)")
    }
}
