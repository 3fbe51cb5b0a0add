import EventStore
import Foundation
import Logging
import MQTTInterface
import Node
import Recorder
import Synchronization
import TestSupport
import Testing

/// A node on the simulated board (paced `speed` times the wall clock, so a broker outage can
/// happen mid-recording) and its MQTT bridge to a test broker.
struct MQTTRig {
    let storage: TemporaryDirectory
    var configuration = NodeConfiguration()
    let speed: Double?
    /// Simulated cameras beyond the board's one (`sim:camera1`...), for reloads that add cameras.
    var extraCameras = 0
    let logs = LogCollector()

    init(port: Int, speed: Double? = 20, node: String = "testnode") throws {
        storage = try TemporaryDirectory("mqtt-node")
        self.speed = speed
        configuration.storage = storage.path
        configuration.cameras[0].name = "yard"
        configuration.cameras[0].width = 160
        configuration.cameras[0].height = 120
        configuration.triggers.motion.enabled = false
        configuration.triggers.cameraMotion = false
        var mqtt = NodeConfiguration.MQTT(broker: "127.0.0.1")
        mqtt.port = port
        mqtt.node = node
        configuration.mqtt = mqtt
    }

    func makeNode() throws -> CameraNode {
        var options = CameraNode.Options()
        options.systemd = false
        options.controlSocket = false
        return try CameraNode(
            configuration: configuration, hardware: try NodeHardware(board: "sim", speed: speed, extraSimulatedCameras: extraCameras), logger: logs.logger("test.node"),
            options: options)
    }

    /// Records with the bridge beside it until `during` has ended and at least `duration` of
    /// node time has passed (so a slow machine cannot end the recording before `during`'s checks).
    func record(
        _ node: CameraNode, for duration: Duration, during: @escaping @Sendable (CameraNode) async throws -> Void = { _ in }
    ) async throws -> MQTTBridge {
        let bridge = try MQTTBridge(node: node, settings: configuration.mqtt!, logger: logs.logger("test.mqtt"))
        let clock = node.hardware.clock
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await bridge.run(flush: .seconds(5)) }
            group.addTask {
                defer { node.stop() }
                let deadline = clock.deadline(after: duration)
                try await during(node)
                try await clock.sleep(until: deadline, tolerance: nil)
            }
            try await node.run()
            try await group.waitForAll()
        }
        return bridge
    }

    /// The index's events, oldest first.
    func indexedEvents() throws -> [EventRecord] {
        try EventIndex(path: StorageLayout(root: storage.path).indexPath, readOnly: true).events().sorted { $0.id < $1.id }
    }
}

/// Keeps every log message, for tests that check what a user is told.
final class LogCollector: Sendable {
    private let messages = Mutex<[String]>([])

    var all: [String] { messages.withLock { $0 } }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(collector: self) }
        logger.logLevel = .info
        return logger
    }

    struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            collector.messages.withLock { $0.append("\(event.level): \(event.message)") }
        }
    }
}

/// The `events` messages a consumer saw, decoded.
func decodeEvents(_ lines: [String]) -> [MQTTEventMessage] {
    lines.compactMap { try? JSONDecoder().decode(MQTTEventMessage.self, from: Data($0.utf8)) }
}

/// Runs blocking work (a child process, a bounded blocking wait) on a thread of its own, off
/// Swift's few cooperative threads, which the node and the bridge need meanwhile.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await onThreadOfItsOwn(body)
}
