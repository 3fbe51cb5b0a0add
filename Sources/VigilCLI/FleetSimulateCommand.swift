import ArgumentParser
import EventStore
import Foundation
import HAL
import Logging
import MQTTInterface
import Node
import Synchronization

/// `vigil fleet simulate`: N simulated nodes, each with its own MQTT client, emulated camera
/// and PIR, in one process; with --report, what reached a watcher on the same broker.
struct FleetSimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run N simulated nodes (each its own MQTT client, emulated camera and PIR) in one process.",
        discussion: """
            Each node sim-1 ... sim-N records its simulated board's camera (160x120) to a folder \
            of its own under --storage (a temporary folder, removed at the end, by default) and \
            publishes on the broker as a real node does. --report watches the broker too and \
            prints, at the end, the events each node recorded and the watcher received, event \
            latency (end of event to arrival, wall clock; meaningful at --speed 1), messages a \
            second and memory a node.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var brokerOptions: BrokerOptions

    @Option(help: "How many nodes.")
    var nodes = 3

    @Option(help: "Stop after this long (simulated time). Default: until stopped.", transform: DurationArgument.parse)
    var duration: DurationArgument?

    @Option(help: "Where the nodes' folders go. Default: a temporary folder, removed at the end.")
    var storage: String?

    @Flag(help: "Publish Home Assistant discovery for the simulated nodes too.")
    var discovery = false

    @Flag(help: "Watch the broker and print what arrived (JSON with --json).")
    var report = false

    func validate() throws {
        guard (1...10_000).contains(nodes) else { throw ValidationError("--nodes must be from 1 to 10000, not \(nodes)") }
    }

    struct Report: Codable {
        var nodes: Int
        var seconds: Double
        var eventsRecorded: Int
        var eventsReceived: Int
        var nodesWithEveryEventDelivered: Int
        var nodesWithEvents: Int
        var latencyP50Milliseconds: Double?
        var latencyP99Milliseconds: Double?
        var messagesPerSecond: Double
        var memoryPerNodeBytes: Int64?
        var outboxLeft: Int
    }

    func run() async throws {
        let logger = options.makeLogger("vigil.fleet")
        let root = storage ?? NSTemporaryDirectory() + "vigil-fleet-\(ProcessInfo.processInfo.processIdentifier)"
        defer { if storage == nil { try? FileManager.default.removeItem(atPath: root) } }
        let baseline = Self.residentBytes()
        let arrivals = Shared<(latencies: [Double], ends: Set<String>, messages: Int)>(([], [], 0))
        let watcher: FleetView? =
            report
            ? try FleetView(connection: brokerOptions.connection(clientID: "vigil-fleet-watch-\(ProcessInfo.processInfo.processIdentifier)"),
                prefix: brokerOptions.topicPrefix) { arrival in
                    arrivals.withLock { arrivals in
                        arrivals.messages += 1
                        guard arrival.message.type == .end, let end = arrival.message.after.endTime else { return }
                        if arrivals.ends.insert(arrival.message.after.id).inserted {
                            arrivals.latencies.append((arrival.received.timeIntervalSince1970 - end) * 1000)
                        }
                    }
                } : nil
        try watcher?.start()
        var fleet: [(node: CameraNode, bridge: MQTTBridge)] = []
        for number in 1...nodes {
            var configuration = NodeConfiguration()
            configuration.storage = "\(root)/sim-\(number)"
            configuration.cameras[0].name = "cam"
            configuration.cameras[0].width = 160
            configuration.cameras[0].height = 120
            configuration.triggers.motion.enabled = false
            configuration.triggers.cameraMotion = false
            var mqtt = NodeConfiguration.MQTT(broker: brokerOptions.broker)
            mqtt.port = brokerOptions.port
            mqtt.topicPrefix = brokerOptions.topicPrefix
            mqtt.node = "sim-\(number)"
            mqtt.username = brokerOptions.username
            mqtt.discoveryPrefix = discovery ? "homeassistant" : nil
            configuration.mqtt = mqtt
            var nodeOptions = CameraNode.Options()
            nodeOptions.controlSocket = false
            nodeOptions.systemd = false
            let node = try CameraNode(
                configuration: configuration, hardware: try NodeHardware(board: "sim", speed: options.speed),
                logger: logger, options: nodeOptions)
            fleet.append((node, try MQTTBridge(node: node, settings: mqtt, logger: logger)))
        }
        if !options.json { print("Simulating \(nodes) node\(nodes == 1 ? "" : "s") on \(brokerOptions.broker):\(brokerOptions.port) (stop with Ctrl-C)") }
        let started = ContinuousClock.now
        let everyNode = fleet
        let peak = Shared<Int64>(0)
        let termination = ProcessSignals.termination()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (node, bridge) in everyNode {
                group.addTask { await bridge.run() }
                group.addTask { try await node.run(for: duration?.duration) }
            }
            let sampler = Task {
                while !Task.isCancelled {
                    let now = Self.residentBytes() ?? 0
                    peak.withLock { $0 = max($0, now) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            let stopper = Task {
                await termination.wait()
                for (node, _) in everyNode { node.stop() }
            }
            defer {
                sampler.cancel()
                stopper.cancel()
            }
            try await group.waitForAll()
        }
        guard let watcher else { return }
        var recorded = 0, withEvents = 0, delivered = 0, left = 0
        var expected: Set<String> = []
        for (number, (node, _)) in fleet.enumerated() {
            let index = try EventIndex(path: node.layout.indexPath, readOnly: true)
            let ended = try index.events().filter { $0.end != nil }
            recorded += ended.count
            left += try index.outboxCount()
            if !ended.isEmpty { withEvents += 1 }
            expected.formUnion(ended.map { "sim-\(number + 1)-\($0.id)" })
        }
        // The bridges waited for their acknowledgements; the watcher's copies follow at once.
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !expected.isSubset(of: arrivals.withLock({ $0.ends })) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let seconds = (ContinuousClock.now - started).seconds
        await watcher.stop()
        let (latencies, ends, _) = arrivals.withLock { $0 }
        let messages = watcher.nodes.reduce(0) { $0 + $1.messages }
        for number in 1...nodes where expected.contains(where: { $0.hasPrefix("sim-\(number)-") }) {
            if expected.filter({ $0.hasPrefix("sim-\(number)-") }).isSubset(of: ends) { delivered += 1 }
        }
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double? {
            sorted.isEmpty ? nil : (sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))] * 10).rounded() / 10
        }
        let memory = Self.residentBytes().flatMap { _ in baseline.map { (peak.withLock { $0 } - $0) / Int64(nodes) } }
        let result = Report(
            nodes: nodes, seconds: (seconds * 10).rounded() / 10, eventsRecorded: recorded, eventsReceived: expected.intersection(ends).count,
            nodesWithEveryEventDelivered: delivered, nodesWithEvents: withEvents, latencyP50Milliseconds: percentile(0.5),
            latencyP99Milliseconds: percentile(0.99), messagesPerSecond: (Double(messages) / max(seconds, 0.001) * 10).rounded() / 10,
            memoryPerNodeBytes: memory, outboxLeft: left)
        if options.json { return try Output.json(result) }
        print(
            "\(nodes) nodes, \(result.seconds) s: \(recorded) events recorded, \(result.eventsReceived) received "
                + "(\(delivered)/\(withEvents) nodes with every event delivered), latency p50 \(result.latencyP50Milliseconds ?? .nan) ms "
                + "p99 \(result.latencyP99Milliseconds ?? .nan) ms, \(result.messagesPerSecond) messages/s, "
                + "\(memory.map { ByteCountFormatter.string(fromByteCount: $0, countStyle: .memory) } ?? "?") a node, \(left) left in outboxes")
    }

    /// This process's resident memory, from /proc/self/status.
    static func residentBytes() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int64(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }
}

/// A value behind a lock, shared by reference between tasks.
private final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}
