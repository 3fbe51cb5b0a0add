import CameraDrivers
import CameraProtocols
import Emulators
import EventStore
import Foundation
import HAL
import HALSimulation
import Logging
import Recorder
import Scenes

/// A whole recording node on virtual time: an emulated VC0706 watching a scripted scene over a
/// simulated 115200-baud link, a PIR line driven by the script, and a recorder writing to a
/// temporary storage root.
struct RecorderRig {
    /// One visitor: in view (and on the PIR line) from `start` for `length` seconds.
    struct Visit: Sendable {
        var start: Double
        var length: Double
        var end: Double { start + length }
    }

    let clock = VirtualClock()
    let link: SimulatedSerialLink
    let emulator: VC0706Emulator
    let camera: VC0706Camera<SimulatedSerialPort>
    let chip: SimulatedGPIOChip
    let root: String
    let layout: StorageLayout
    let index: EventIndex
    let wallClock: WallClock
    let visits: [Visit]
    let events: EventMachine<CapturedFrame>.Settings

    init(
        visits: [Visit], events: EventMachine<CapturedFrame>.Settings, size: VC0706.ImageSize = .qqvga,
        retention: RetentionPolicy = .keepEverything, minimalClone: Bool = false
    ) throws {
        self.visits = visits
        self.events = events
        let script = SceneScript(visits.map { visit in
            SceneScript.Appearance(
                start: .milliseconds(Int64(visit.start * 1000)), duration: .milliseconds(Int64(visit.length * 1000)),
                kind: .person, from: (x: -0.1, y: 0.6), to: (x: 1.1, y: 0.6), size: 0.4)
        })
        link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 115200))
        var configuration = VC0706Emulator.Configuration()
        configuration.initialBaud = 115200
        configuration.initialSize = size
        configuration.bootsOnStart = false
        configuration.minimalClone = minimalClone
        emulator = VC0706Emulator(port: link.device, scene: SyntheticScene(seed: 7, script: script), configuration: configuration)
        var options = VC0706Camera<SimulatedSerialPort>.Options()
        options.probeBauds = [115200]
        camera = VC0706Camera(port: link.host, options: options)
        chip = SimulatedGPIOChip(label: "rig", lineCount: 2, clock: clock)
        root = NSTemporaryDirectory() + "vigil-recorder-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        layout = StorageLayout(root: root)
        index = try EventIndex(path: layout.indexPath)
        wallClock = WallClock(date: Date(timeIntervalSince1970: 1_790_000_000), instant: clock.now)
        self.retention = retention
    }

    let retention: RetentionPolicy

    /// Records for `duration` of virtual time, the PIR line following the visits; returns the
    /// status board the recorder kept.
    @discardableResult
    func record(for duration: Duration) async throws -> StatusBoard {
        let pir = try chip.requestLines([0], settings: .input(edges: .both), consumer: "recorder")
        let status = StatusBoard()
        var logger = Logger(label: "test.recorder")
        logger.logLevel = .critical
        let cameraRecorder = CameraRecorder(
            name: "yard", camera: camera, clock: clock, events: events, useCameraMotion: false, motion: nil,
            storage: RecorderStorage(layout: layout, index: index, retention: retention, wallClock: wallClock),
            status: status, logger: logger)
        let recorder = Recorder(
            cameras: [cameraRecorder], inputs: Recorder.Inputs(pir: pir), storage: cameraRecorder.storage, status: status,
            clock: clock, logger: logger)
        let start = clock.now
        try await Simulation.run(clock: clock) { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await emulator.run() }
                group.addTask { await recorder.run() }
                group.addTask { [self] in
                    for visit in visits {
                        try? await clock.sleep(until: start.advanced(by: .milliseconds(Int64(visit.start * 1000))))
                        chip.drive(0, to: true)
                        try? await clock.sleep(until: start.advanced(by: .milliseconds(Int64(visit.end * 1000))))
                        chip.drive(0, to: false)
                    }
                    try? await clock.sleep(until: start.advanced(by: duration))
                }
                await group.next()
                group.cancelAll()
            }
        }
        pir.release()
        return status
    }

    /// The wall-clock date of a script time (seconds from the start).
    func date(_ seconds: Double) -> Date { wallClock.anchorDate.addingTimeInterval(seconds) }

    func removeStorage() { try? FileManager.default.removeItem(atPath: root) }
}
