import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `vigil-bench fleet` (`Tools/bench --only fleet`): the largest N for which `vigil fleet simulate
/// --nodes N` delivers every node's events through one Mosquitto on a loopback port.
struct FleetSection: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "MQTT: the largest fleet of simulated nodes whose events all flow through one Mosquitto (p99 under 5 s).",
        discussion: """
            `vigil fleet simulate --nodes N` at --speed 1 for 60 s (45 s with --quick) against one \
            Mosquitto on a loopback port, everything on at most 2 cores, N = 5, 10, 20, 40, 80 \
            until a step does not flow: all events received, outboxes empty, p99 latency under \
            5 s. Latency is from the end of an event to its arrival at a watcher.
            """)

    @OptionGroup var common: SectionOptions

    struct Step: Codable {
        var nodes: Int
        var eventsRecorded: Int
        var eventsReceived: Int
        var nodesWithEveryEventDelivered: Int
        var nodesWithEvents: Int
        var latencyP50Milliseconds: Double?
        var latencyP99Milliseconds: Double?
        var messagesPerSecond: Double
        var memoryPerNodeBytes: Int64?
        var outboxLeft: Int
        var wallSeconds: Double?
        var flowing: Bool?
    }

    struct Figures: Codable {
        var largestFlowing: Int
        var stoppedBelowLimit: Bool
        var steps: [Step]
        var duration: String
        var pinnedToTwoCores: Bool
    }

    func measure(in workspace: Workspace) async throws -> Figures {
        guard let mosquitto = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ChildProcess.Failure(description: "fleet needs Debian's mosquitto (Tools/setup installs it)")
        }
        let port = try freeLoopbackPort()
        let configuration = try workspace.write(
            (getuid() == 0 ? "user root\n" : "") + "listener \(port) 127.0.0.1\nallow_anonymous true\nmax_queued_messages 100000\n",
            to: "mosquitto.conf")
        let broker = try ChildProcess(mosquitto, ["-c", configuration], name: "mosquitto", folder: workspace.folder)
        defer { broker.stop() }
        try await waitUntil("mosquitto listens on 127.0.0.1:\(port)", within: .seconds(5), process: broker) {
            guard let descriptor = try? LoopbackHTTP.connect(port: port, seconds: 1) else { return false }
            close(descriptor)
            return true
        }
        // Two cores, as on a Pi-class broker host: the nodes and the broker share them.
        let pin = ProcessInfo.processInfo.activeProcessorCount > 2 && FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset")
        let duration = common.quick ? "45s" : "60s"
        var steps: [Step] = []
        var largest = 0
        for nodes in common.quick ? [5, 10, 20] : [5, 10, 20, 40, 80] {
            let storage = workspace.path("fleet-\(nodes)")
            try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
            let started = ContinuousClock.now
            let command = [workspace.vigil, "fleet", "simulate", "--nodes", "\(nodes)", "--broker", "127.0.0.1", "--port", "\(port)",
                           "--topic-prefix", "bench\(nodes)", "--duration", duration, "--storage", storage, "--report", "--json"]
            var step = try workspace.runJSON(
                Step.self, pin ? "/usr/bin/taskset" : command[0], pin ? ["-c", "0,1"] + command : Array(command.dropFirst()),
                name: "fleet-\(nodes)", timeout: .seconds(600))
            try FileManager.default.removeItem(atPath: storage)
            step.wallSeconds = ((ContinuousClock.now - started).seconds * 10).rounded() / 10
            let flowing = step.eventsReceived == step.eventsRecorded && step.outboxLeft == 0
                && step.nodesWithEveryEventDelivered == step.nodesWithEvents && step.nodesWithEvents >= nodes * 3 / 4
                && (step.latencyP99Milliseconds ?? 0) < 5000
            step.flowing = flowing
            steps.append(step)
            guard flowing else { break }
            largest = nodes
        }
        return Figures(
            largestFlowing: largest, stoppedBelowLimit: steps.last?.flowing ?? false, steps: steps, duration: duration, pinnedToTwoCores: pin)
    }

    func table(_ figures: Figures) -> String {
        let widths = [6, 9, 9, 9, 9, 11, 12, 8]
        var lines = [
            "", "MQTT fleet: vigil fleet simulate at --speed 1 for \(figures.duration), one Mosquitto, largest flowing N: \(figures.largestFlowing)\(figures.stoppedBelowLimit ? "+" : "")",
            tableRow(["nodes", "recorded", "received", "p50 ms", "p99 ms", "messages/s", "MB a node", "flowing"], widths, leftAligned: 0),
        ]
        for step in figures.steps {
            lines.append(tableRow([
                "\(step.nodes)", "\(step.eventsRecorded)", "\(step.eventsReceived)", formatted(step.latencyP50Milliseconds, "%.0f"),
                formatted(step.latencyP99Milliseconds, "%.0f"), formatted(step.messagesPerSecond, "%.1f"),
                formatted(Double(step.memoryPerNodeBytes ?? 0) / 1e6, "%.1f"), step.flowing == true ? "yes" : "NO",
            ], widths, leftAligned: 0))
        }
        return lines.joined(separator: "\n")
    }
}
