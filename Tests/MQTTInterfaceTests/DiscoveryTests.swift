import Foundation
import MQTTInterface
import Node
import TestSupport
import Testing

@Suite struct DiscoveryTests {
    /// What Home Assistant's MQTT integration requires of each platform's config.
    static let required: [String: [String]] = [
        "binary_sensor": ["state_topic"], "camera": ["topic"], "sensor": ["state_topic"], "button": ["command_topic"],
        "select": ["command_topic", "options"],
    ]

    static func configs(_ discovery: HomeAssistantDiscovery) throws -> [(component: String, objectID: String, config: [String: Any])] {
        try discovery.messages.map { message in
            let levels = message.topic.split(separator: "/").map(String.init)
            #expect(levels.count == 4 && levels[0] == "homeassistant" && levels[3] == "config", "\(message.topic)")
            let config = try #require(try JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any])
            return (levels[1], levels[2], config)
        }
    }

    @Test func everyEntityCarriesWhatHomeAssistantRequires() throws {
        let topics = MQTTTopics(prefix: "vigil", node: "shed")
        let discovery = HomeAssistantDiscovery(prefix: "homeassistant", topics: topics, cameras: ["yard", "gate"], version: "1.2")
        let configs = try Self.configs(discovery)
        #expect(Set(configs.map(\.component)) == Set(Self.required.keys))
        #expect(configs.count == 1 + 5 * 2, "disk free, and per camera motion, snapshot, frames per minute, trigger and IR")
        #expect(Set(configs.map(\.objectID)).count == configs.count, "object ids are unique")
        for (component, objectID, config) in configs {
            #expect(objectID.hasPrefix("shed_"))
            #expect(config["unique_id"] as? String == objectID)
            #expect(config["availability_topic"] as? String == "vigil/shed/availability")
            #expect(config["name"] is String)
            let device = try #require(config["device"] as? [String: Any], "\(objectID) has no device")
            #expect(device["identifiers"] as? [String] == ["vigil_shed"])
            for key in ["name", "model", "manufacturer", "sw_version"] { #expect(device[key] is String, "\(objectID): device lacks \(key)") }
            for key in Self.required[component] ?? [] { #expect(config[key] != nil, "\(component) \(objectID) lacks \(key)") }
        }
        let camera = try #require(configs.first { $0.objectID == "shed_yard_snapshot" })
        #expect(camera.config["topic"] as? String == topics.snapshot("yard"))
        let select = try #require(configs.first { $0.objectID == "shed_gate_ir" })
        #expect(select.config["options"] as? [String] == ["auto", "on", "off"])
        #expect(select.config["command_topic"] as? String == "vigil/shed/gate/ir/set")
        let motion = try #require(configs.first { $0.objectID == "shed_yard_motion" })
        #expect(motion.config["payload_on"] as? String == "ON" && motion.config["state_topic"] as? String == "vigil/shed/yard/motion")
    }

    @Test func commandTopicsParseOnlyForThisNode() {
        let topics = MQTTTopics(prefix: "vigil", node: "shed")
        #expect(topics.parseCommand("vigil/shed/yard/trigger/set")! == ("yard", "trigger"))
        #expect(topics.parseCommand("vigil/barn/yard/trigger/set") == nil)
        #expect(topics.parseCommand("vigil/shed/yard/trigger") == nil)
        #expect(topics.parseCommand("vigil/shed/yard/x/trigger/set") == nil)
    }

    @Test func theMQTTSectionParsesAndRejectsWhatIsWrong() throws {
        let configuration = try NodeConfiguration.parse(
            yaml: """
                mqtt:
                  broker: mqtt.example
                  tls: true
                  username: vigil
                  password-file: /etc/vigil/mqtt-password
                  node: shed
                  protocol: "5"
                """, file: "test.yaml")
        let mqtt = try #require(configuration.mqtt)
        #expect(mqtt.broker == "mqtt.example" && mqtt.effectivePort == 8883 && mqtt.tls && mqtt.protocolVersion == .v5)
        #expect(mqtt.nodeName == "shed" && mqtt.topicPrefix == "vigil" && mqtt.passwordFile == "/etc/vigil/mqtt-password")
        #expect(try NodeConfiguration.parse(yaml: "board: sim", file: "t.yaml").mqtt == nil, "off when absent")
        #expect(throws: ConfigurationError.self) {
            try NodeConfiguration.parse(yaml: "mqtt:\n  port: 70000\n  topic-prefix: a/b\n  colour: red\n", file: "t.yaml")
        }
    }
}

@Suite(.serialized, .enabled(if: MosquittoBroker.isAvailable, Comment(rawValue: MosquittoBroker.missingReason)))
struct DiscoveryBrokerTests {
    @Test func discoveryIsRetainedAndSentAgainOnHomeAssistantsBirth() async throws {
        let broker = try MosquittoBroker()
        let rig = try MQTTRig(port: broker.port)
        defer { rig.storage.remove() }
        let watcher = try MosquittoSubscriber(broker: broker, topics: ["homeassistant/+/+/config"], format: "%t")
        let node = try rig.makeNode()
        _ = try await rig.record(node, for: .seconds(200)) { _ in
            try await waitUntil("six configs", within: .seconds(20)) { watcher.lines.count >= 6 }
            try await offPool { try broker.publish("homeassistant/status", "online") }
            try await waitUntil("the configs again after Home Assistant's birth", within: .seconds(20)) { watcher.lines.count >= 12 }
        }
        let retained = try broker.read("homeassistant/#")
        #expect(retained.count == 6, "\(retained)")
        #expect(Set(watcher.lines).count == 6)
    }

    @Test func aReloadPublishesAddedCamerasAndClearsRemovedOnes() async throws {
        let broker = try MosquittoBroker()
        var rig = try MQTTRig(port: broker.port)
        rig.extraCameras = 1
        defer { rig.storage.remove() }
        let node = try rig.makeNode()
        _ = try await rig.record(node, for: .seconds(300)) { node in
            let retained = { @Sendable in try await offPool { try broker.read("homeassistant/#").filter { !$0.hasSuffix("config ") } } }
            try await waitUntil("six configs", within: .seconds(20)) { try await retained().count == 6 }
            var added = node.configuration
            var gate = added.cameras[0]
            gate.name = "gate"
            gate.port = "sim:camera1"
            added.cameras.append(gate)
            _ = try await node.reload(added)
            try await waitUntil("gate's five entities", within: .seconds(20)) { try await retained().count == 11 }
            #expect(try await retained().contains { $0.hasPrefix("homeassistant/binary_sensor/testnode_gate_motion/config {") })
            var removed = node.configuration
            removed.cameras.removeAll { $0.name == "gate" }
            _ = try await node.reload(removed)
            try await waitUntil("gate's entities cleared", within: .seconds(20)) { try await retained().count == 6 }
            #expect(try await !retained().contains { $0.contains("gate") })
        }
    }
}
