import CameraDrivers
import EventStore
import Foundation
import HAL
import HALSimulation
import Logging
import Recorder
import Synchronization
import Testing

/// A camera that stops answering mid-event: the event ends with what it has, the loss shows in
/// the status and the index's health, and recording resumes when the camera is back.
@Suite struct CameraLossTests {
    @Test func aLostCameraEndsTheEventIsRetriedAndRecordingResumes() async throws {
        let clock = VirtualClock()
        let root = NSTemporaryDirectory() + "vigil-loss-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = StorageLayout(root: root)
        let index = try EventIndex(path: layout.indexPath)
        let storage = RecorderStorage(
            layout: layout, index: index, retention: .keepEverything,
            wallClock: WallClock(date: Date(timeIntervalSince1970: 1_790_000_000), instant: clock.now))
        let camera = ScriptedCamera(
            clock: clock, frames: Array(RecordingRetentionTests.frames.prefix(2)), width: 640, height: 480, period: .milliseconds(500))
        var logger = Logger(label: "test.loss")
        logger.logLevel = .critical
        let status = StatusBoard()
        let recorder = CameraRecorder(
            name: "door", camera: camera, clock: clock,
            events: .init(preCapture: .seconds(1), postCapture: .seconds(1), eventGap: .seconds(3), maxMovieLength: .seconds(60)),
            useCameraMotion: false, motion: nil, storage: storage, status: status, logger: logger)
        let seenLost = SendableFlag()
        try await Simulation.run(clock: clock) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                group.addTask {
                    let at = { (seconds: Int64) in MonotonicInstant(nanoseconds: seconds * 1_000_000_000) }
                    try? await clock.sleep(until: at(5))
                    recorder.trigger(Trigger(.pir, at: clock.now, phase: .began))
                    try? await clock.sleep(until: at(10))
                    camera.fail(until: at(20))  // unplugged mid-event for 10 s
                    try? await clock.sleep(until: at(12))
                    if status.current.cameras.first?.state == .cameraLost { seenLost.set() }
                    recorder.trigger(Trigger(.pir, at: clock.now, phase: .ended))
                    try? await clock.sleep(until: at(40))
                    recorder.trigger(Trigger(.manual, at: clock.now))
                    try? await clock.sleep(until: at(60))
                }
                await group.next()
                group.cancelAll()
            }
        }
        #expect(seenLost.value, "the status did not show the camera lost")
        let events = try index.events().sorted { $0.start < $1.start }
        #expect(events.count == 2, "\(events)")
        #expect(events.first?.state == .finished)
        // The first event ended when the camera was lost, at its last frame before 10 s.
        if let end = events.first?.end {
            #expect(end <= storage.wallClock.date(at: MonotonicInstant(nanoseconds: 10_000_000_000)))
        }
        #expect(events.last?.triggers == ["manual"])
        for event in events {
            for movie in try index.movies(eventID: event.id) {
                #expect(movie.finished && movie.frames > 0)
            }
        }
        let health = try #require(try index.health().first)
        #expect(health.connected == false)  // stopped at the end
        #expect(health.errors >= 1)
        #expect(health.reconnects == 1)
        #expect(health.lastError?.contains("unplugged") == true)
    }
}

final class SendableFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var value: Bool { flag.withLock { $0 } }
}
