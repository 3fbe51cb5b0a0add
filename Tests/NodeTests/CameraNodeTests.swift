import BoardSupport
import CameraDrivers
import EventStore
import Foundation
import HAL
import HALSimulation
import Logging
import Node
import Recorder
import TestSupport
import Testing

/// A node on the simulated board, on virtual time as fast as the machine goes, recording to a
/// temporary storage root.
struct SimulatedNodeRig {
    let storage: TemporaryDirectory
    let hardware: NodeHardware
    var configuration = NodeConfiguration()

    init(requireHardware: Bool = true, extraSimulatedCameras: Int = 0) throws {
        storage = try TemporaryDirectory("node")
        hardware = try NodeHardware(board: "sim", speed: nil, extraSimulatedCameras: extraSimulatedCameras)
        configuration.storage = storage.path
        configuration.cameras[0].name = "yard"
        // Small frames keep ten simulated minutes quick; the PIR starts every event.
        configuration.cameras[0].width = 160
        configuration.cameras[0].height = 120
        configuration.triggers.motion.enabled = false
        configuration.triggers.cameraMotion = false
        configuration.requireHardware = requireHardware
    }

    func makeNode(_ options: CameraNode.Options = CameraNode.Options()) throws -> CameraNode {
        var logger = Logger(label: "test.node")
        logger.logLevel = .critical
        var options = options
        options.systemd = false
        return try CameraNode(configuration: configuration, hardware: hardware, logger: logger, options: options)
    }
}

/// Collects what a subscription yields, on a task of its own.
final class Collector<Element: Sendable>: Sendable {
    private let task: Task<[Element], Never>

    init(_ subscription: Subscription<Element>) {
        task = Task {
            var items: [Element] = []
            for await item in subscription { items.append(item) }
            return items
        }
    }

    /// Everything, once the subscription has ended.
    func all() async -> [Element] { await task.value }
}

@Suite(.serialized) struct CameraNodeTests {
    @Test func tenMinutesOfTypedEventsAgreeOneToOneWithTheIndex() async throws {
        let rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        let node = try rig.makeNode()
        let events = Collector(node.events())
        try await node.run(for: .seconds(600))
        let seen = await events.all()

        let started = seen.compactMap { if case .eventStarted(let event) = $0 { event } else { nil } }
        let ended = seen.compactMap { if case .eventEnded(let event) = $0 { event } else { nil } }
        let movies = seen.compactMap { if case .movieFinished(let movie) = $0 { movie } else { nil } }
        let index = try EventIndex(path: node.layout.indexPath, readOnly: true)
        let rows = try index.events().sorted { $0.id < $1.id }
        #expect(rows.count >= 5, "the sim board's PIR fires about every 45 s: \(rows.count) events in ten minutes")
        #expect(started.map(\.id) == rows.map(\.id))
        #expect(ended.map(\.id) == rows.map(\.id))
        for (event, row) in zip(ended, rows) {
            #expect(event.camera == "yard" && row.camera == "yard")
            #expect(abs(event.start.timeIntervalSince(row.start)) < 0.001)
            #expect(abs((event.end ?? .distantPast).timeIntervalSince(row.end ?? .distantFuture)) < 0.001)
            #expect(event.frames == row.frames && event.frames > 0)
            #expect(event.triggers == row.triggers && event.triggers.contains("pir"))
            #expect(row.state == .finished)
        }
        let movieRows = try rows.flatMap { try index.movies(eventID: $0.id) }
        #expect(Set(movies.map(\.path)) == Set(movieRows.map(\.path)))
        #expect(movies.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        #expect(movies.map(\.frames).reduce(0, +) == rows.map(\.frames).reduce(0, +))
    }

    @Test func aHundredFrameSubscribersShareEachFrameAndSlowOnesLoseOnlyTheirOwn() async throws {
        // The same seeded world twice: without subscribers, then with 100 that never read and
        // one event subscriber that never reads either.
        var storages: [TemporaryDirectory] = []
        defer { storages.forEach { $0.remove() } }
        func record(subscribers: Int) async throws -> (captured: Int, node: CameraNode, frames: [Subscription<CapturedFrame>], events: Subscription<RecorderEvent>?) {
            let rig = try SimulatedNodeRig()
            storages.append(rig.storage)
            var options = CameraNode.Options()
            options.eventBuffer = 2
            let node = try rig.makeNode(options)
            let frames = try (0..<subscribers).map { _ in try node.frames(camera: "yard") }
            let events = subscribers > 0 ? node.events() : nil
            try await node.run(for: .seconds(120))
            let captured = node.status.cameras.first { $0.name == "yard" }?.frames ?? 0
            return (captured, node, frames, events)
        }
        let alone = try await record(subscribers: 0)
        let watched = try await record(subscribers: 100)
        #expect(alone.captured > 50)
        #expect(watched.captured == alone.captured, "subscribers must not slow capture")

        // Each subscriber holds its buffer's worth (the last frames), the rest counted as dropped.
        let buffer = CameraNode.Options().frameBuffer
        var firstBytes: [UnsafeRawPointer] = []
        for subscription in watched.frames {
            var held: [CapturedFrame] = []
            for await frame in subscription { held.append(frame) }
            #expect(held.count == buffer)
            #expect(subscription.dropped == watched.captured - buffer)
            if let first = held.first { firstBytes.append(first.jpeg.withUnsafeBytes { UnsafeRawPointer($0.baseAddress!) }) }
        }
        #expect(Set(firstBytes).count == 1, "every subscriber holds the same bytes, not a copy")
        #expect(watched.node.droppedByReaders.frames == 100 * (watched.captured - buffer))

        // The event subscriber that never read lost events; the index lost none.
        let events = try #require(watched.events)
        var held = 0
        for await _ in events { held += 1 }
        #expect(held == 2 && events.dropped > 0)
        let index = try EventIndex(path: watched.node.layout.indexPath, readOnly: true)
        #expect(try index.events().count >= 2)
        #expect(try index.events().allSatisfy { $0.state == .finished && $0.frames > 0 })
    }

    @Test func aBusyPIRLineFailsStartUpNamingTheLineOrIsNamedInTheStatus() async throws {
        let rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        let chip = try rig.hardware.gpio.chip(.label("vigil-sim"))
        let other = try chip.requestLines([17], settings: .input(), consumer: "other-program")
        defer { other.release() }
        do {
            _ = try rig.makeNode()
            Issue.record("start-up should fail while another program holds the PIR line")
        } catch {
            let message = "\(error)"
            #expect(message.contains("pir line (vigil-sim:17)"), "\(message)")
            #expect(message.contains("require-hardware"), "\(message)")
        }

        var degraded = try SimulatedNodeRig(requireHardware: false)
        degraded = SimulatedNodeRig(storage: degraded.storage, hardware: rig.hardware, configuration: degraded.configuration)
        defer { degraded.storage.remove() }
        let node = try degraded.makeNode()
        let unavailable = node.status.unavailable ?? []
        #expect(unavailable.count == 1 && unavailable[0].contains("pir line (vigil-sim:17)"), "\(unavailable)")
    }

    @Test func aCameraThatCannotBeOpenedFailsTheRunAndEndsEverySubscription() async throws {
        var rig = try SimulatedNodeRig()
        rig.configuration.cameras[0].port = "/dev/vigil-no-such-port"
        defer { rig.storage.remove() }
        let node = try rig.makeNode()
        let events = Collector(node.events())
        let frames = Collector(try node.frames(camera: "yard"))
        await #expect(throws: (any Error).self) { try await node.run(for: .seconds(10)) }
        #expect(await events.all().isEmpty)
        #expect(await frames.all().isEmpty)
        // The lines are released: a second node on the same board takes them. The storage lock
        // (flock) may outlive its close for a moment when another test of this process forks a
        // child that has not yet exec'd: only that refusal is waited out.
        try await waitUntil("a second node on the same board and storage", within: .seconds(10)) {
            do {
                _ = try rig.makeNode()
                return true
            } catch where "\(error)".contains("a recorder is already running on this storage root") {
                return false
            }
        }
    }

    @Test func aDamagedIndexIsMovedAsideAndRebuiltFromTheFiles() async throws {
        let rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        // The first node records, stops and is gone (its index closed), as after a restart.
        weak var first: CameraNode?
        do {
            let node = try rig.makeNode()
            first = node
            try await node.run(for: .seconds(180))
        }
        try await waitUntil("the first node to be released", within: .seconds(10), every: .milliseconds(10)) { first == nil }
        let recorded = try EventIndex(path: rig.storage.file("index.sqlite"), readOnly: true).events()
        #expect(recorded.count >= 2)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: rig.storage.file("index.sqlite" + suffix)) }
        try Data(repeating: 0xA5, count: 4096).write(to: URL(fileURLWithPath: rig.storage.file("index.sqlite")))

        let node = try rig.makeNode()
        #expect(node.status.recentErrors.contains { $0.contains("the event index was damaged") })
        let damaged = try FileManager.default.contentsOfDirectory(atPath: rig.storage.path).filter { $0.contains(".damaged-") }
        #expect(damaged.count == 1)
        // Every movie of the earlier run is adopted: one event for each.
        let rebuilt = try EventIndex(path: rig.storage.file("index.sqlite"), readOnly: true).events()
        #expect(rebuilt.count == recorded.count)
        #expect(rebuilt.map(\.frames).reduce(0, +) == recorded.map(\.frames).reduce(0, +))
    }

    @Test func hookRunsAndFailuresAreTypedEvents() async throws {
        var rig = try SimulatedNodeRig()
        rig.configuration.triggers.pir = false
        rig.configuration.hooks.commands = [.eventStart: "exit 3"]
        defer { rig.storage.remove() }
        let node = try rig.makeNode()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            defer { node.stop() }
            let events = node.events()
            for await _ in try node.frames(camera: "yard") { break }
            try node.trigger(camera: "yard", for: .seconds(2))
            var started = false
            for await event in events {
                if case .hookStarted(.eventStart, _) = event { started = true }
                if case .hookFailed(.eventStart, let reason, _) = event {
                    #expect(started && reason.contains("3"), "\(reason)")
                    break
                }
            }
        }
    }

    @Test func commandsReachTheRunningNode() async throws {
        var rig = try SimulatedNodeRig()
        rig.configuration.triggers.pir = false
        defer { rig.storage.remove() }
        let node = try rig.makeNode()
        #expect(throws: NodeError.self) { try node.trigger(camera: "yard", for: .seconds(5)) }
        let events = Collector(node.events())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            // Commands once the first frame came.
            let frames = try node.frames(camera: "yard")
            for await _ in frames { break }
            let frame = try await node.snapshot(camera: "yard")
            #expect(frame.jpeg.starts(with: [0xFF, 0xD8]))
            #expect(try node.latestFrame(camera: "yard") != nil)
            #expect(throws: NodeError.self) { try node.frames(camera: "gate") }
            #expect(throws: (any Error).self) { try node.trigger(camera: "gate") }
            #expect(throws: (any Error).self) { try node.trigger(camera: "yard", for: .seconds(1e12)) }
            let started = node.events()
            #expect(try node.trigger(camera: "yard", for: .seconds(3)) == ["yard"])
            try node.setIlluminator(.on)
            for await event in started {
                if case .eventStarted = event { break }
            }
            node.stop()
            try await group.waitForAll()
        }
        let seen = await events.all()
        let manual = seen.compactMap { if case .eventStarted(let event) = $0 { event } else { nil } }
        #expect(manual.count == 1 && manual[0].triggers == ["manual"])
        #expect(seen.contains { if case .eventEnded = $0 { true } else { false } })
    }
}

extension SimulatedNodeRig {
    init(storage: TemporaryDirectory, hardware: NodeHardware, configuration: NodeConfiguration) {
        self.storage = storage
        self.hardware = hardware
        self.configuration = configuration
    }
}
