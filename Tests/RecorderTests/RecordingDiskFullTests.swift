import CameraDrivers
import EventStore
import Foundation
import HAL
import HALSimulation
import Logging
import Recorder
import TestSupport
import Testing

/// A full disk while recording: logged, space freed by retention, recording resumes.
@Suite(.enabled(if: TinyFileSystem.isPermitted, "needs permission to mount a tmpfs (root)"))
struct RecordingDiskFullTests {
    @Test func recordingSurvivesADiskThatFillsUp() async throws {
        let disk = try TinyFileSystem(kilobytes: 12_000)
        defer { disk.unmount() }
        let clock = VirtualClock()
        let layout = StorageLayout(root: disk.path)
        let index = try EventIndex(path: layout.indexPath)
        let storage = RecorderStorage(
            layout: layout, index: index, retention: RetentionPolicy(minFreeBytes: 2_000_000),
            wallClock: WallClock(date: Date(timeIntervalSince1970: 1_790_000_000), instant: clock.now))
        let camera = ScriptedCamera(
            clock: clock, frames: RecordingRetentionTests.frames, width: 640, height: 480, period: .milliseconds(100))
        var logger = Logger(label: "test.disk-full")
        logger.logLevel = .critical
        let status = StatusBoard()
        let recorder = CameraRecorder(
            name: "gate", camera: camera, clock: clock,
            events: .init(preCapture: .zero, postCapture: .seconds(1), eventGap: .seconds(2), maxMovieLength: .seconds(4)),
            useCameraMotion: false, motion: nil, storage: storage, status: status, logger: logger)
        let filledAt = MonotonicInstant(nanoseconds: 45_000_000_000)
        try await Simulation.run(clock: clock) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                group.addTask {
                    // Visits of 8 s every 12 s for 3 minutes; at 45 s something else fills the disk.
                    for cycle in 0..<15 {
                        recorder.trigger(Trigger(.pir, at: clock.now, phase: .began))
                        try? await clock.sleep(until: MonotonicInstant(nanoseconds: Int64(cycle * 12 + 8) * 1_000_000_000))
                        recorder.trigger(Trigger(.pir, at: clock.now, phase: .ended))
                        if cycle == 3 { disk.fill() }
                        try? await clock.sleep(until: MonotonicInstant(nanoseconds: Int64(cycle + 1) * 12_000_000_000))
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        let errors = status.current.recentErrors
        #expect(errors.contains { $0.contains("disk") || $0.contains("space") }, "no disk-full error noted: \(errors)")
        // Recording resumed after the disk filled: movies that start later exist and play.
        let wall = storage.wallClock
        var later = 0
        for event in try index.events() {
            for movie in try index.movies(eventID: event.id) where movie.finished {
                #expect(FileManager.default.fileExists(atPath: movie.path), "\(movie.path)")
                let probe = try Tool.probe(movie.path)
                #expect(probe.frames == movie.frames, "\(movie.path)")
                if movie.start > wall.date(at: filledAt.advanced(by: .seconds(30))) { later += 1 }
            }
        }
        #expect(later > 0, "no movie after the disk filled")
        let partials = (FileManager.default.enumerator(atPath: disk.path)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".partial") }
        #expect(partials.isEmpty, "\(partials)")
    }
}
