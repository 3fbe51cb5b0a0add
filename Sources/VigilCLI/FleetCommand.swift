import ArgumentParser
import MQTTInterface

/// `vigil fleet`: every node on an MQTT broker.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "See every node on an MQTT broker, or simulate a fleet of them.",
        subcommands: [FleetStatusCommand.self, FleetSimulateCommand.self])
}

/// Where the fleet's broker is.
struct BrokerOptions: ParsableArguments {
    @Option(help: "The MQTT broker's host.")
    var broker: String

    @Option(help: "The broker's port.")
    var port: Int = 1883

    @Option(help: "The first level of the nodes' topics.")
    var topicPrefix = "vigil"

    @Option(help: "A user name for the broker (the password comes from \\$VIGIL_MQTT_PASSWORD).")
    var username: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535, not \(port)") }
        guard !topicPrefix.isEmpty, !topicPrefix.contains(where: { "+#/".contains($0) }) else {
            throw ValidationError("--topic-prefix must be one topic level, not '\(topicPrefix)'")
        }
    }

    func connection(clientID: String) -> MQTTConnection {
        var connection = MQTTConnection(host: broker, port: port, clientID: clientID)
        connection.username = username
        connection.password = username == nil ? nil : ProcessInfo.processInfo.environment["VIGIL_MQTT_PASSWORD"]
        return connection
    }
}

import Foundation
