import ArgumentParser
import Foundation
import HAL
import MQTTInterface

/// `vigil fleet status`: a table of every node on the broker.
struct FleetStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every node on an MQTT broker: cameras, up or down, last event, disk free, errors.",
        discussion: """
            Subscribes to the nodes' retained availability and status messages (and their events) \
            and prints one row a node once --wait has passed; --watch prints it again every \
            --wait until stopped.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var brokerOptions: BrokerOptions

    @Option(help: "How long to listen before printing (retained messages arrive at once).", transform: DurationArgument.parse)
    var wait: DurationArgument?

    @Flag(help: "Print the table again every --wait (default 2s) until stopped.")
    var watch = false

    func run() async throws {
        let fleet = try FleetView(
            connection: brokerOptions.connection(clientID: "vigil-fleet-\(ProcessInfo.processInfo.processIdentifier)"),
            prefix: brokerOptions.topicPrefix)
        try fleet.start()
        let interval = wait?.duration ?? .seconds(2)
        let termination = ProcessSignals.termination()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                repeat {
                    try await Task.sleep(for: interval)
                    let (connected, refusal) = fleet.connection
                    guard connected else {
                        throw CLIError(
                            "cannot reach the MQTT broker \(brokerOptions.broker):\(brokerOptions.port)"
                                + (refusal.map { ": \($0)" } ?? " within \(interval.humanReadable)"))
                    }
                    show(fleet.nodes)
                } while watch
            }
            group.addTask { await termination.wait() }
            defer { group.cancelAll() }
            do {
                try await group.next()
            } catch {
                await fleet.stop()
                throw error
            }
        }
        await fleet.stop()
    }

    private func show(_ nodes: [FleetView.Node]) {
        if options.json {
            do { try Output.jsonLine(nodes) } catch { FileHandle.standardError.write(Data("vigil: \(error)\n".utf8)) }
            return
        }
        let now = Date()
        var rows = [["NODE", "CAMERAS", "UP", "LAST EVENT", "DISK FREE", "ERRORS"]]
        for node in nodes {
            let status = node.status
            let up: String
            switch node.online {
            case true?: up = status?.started.map { "up " + Duration.seconds(max(0, now.timeIntervalSince1970 - $0).rounded()).humanReadable } ?? "online"
            case false?: up = "OFFLINE"
            case nil: up = "?"
            }
            let last = node.lastEventHeard.map { "\($0.eventID) \($0.camera) \(Self.ago($0.startTime, now))" }
                ?? status?.lastEvent.map { "\($0.id) \($0.camera) \(Self.ago($0.start, now))" } ?? "-"
            let disk = status?.diskFreeBytes.map { ByteCountFormatter.string(fromByteCount: $0, countStyle: .file) } ?? "-"
            var errors = status.map { "\($0.errors)" + ($0.recentErrors.last.map { " (\($0))" } ?? "") } ?? "-"
            if let problem = node.lastUndecodable { errors += "; \(node.undecodable) unreadable message(s), last \(problem)" }
            rows.append([node.name, status?.cameras.joined(separator: ",") ?? "-", up, last, disk, errors])
        }
        if nodes.isEmpty { print("No nodes on \(brokerOptions.broker):\(brokerOptions.port) under \(brokerOptions.topicPrefix)/") }
        Output.table(rows)
        fflush(nil)
    }

    private static func ago(_ epoch: Double, _ now: Date) -> String {
        Duration.seconds(max(0, now.timeIntervalSince1970 - epoch).rounded()).humanReadable + " ago"
    }
}
