import Foundation

/// Home Assistant MQTT discovery for one node: a retained `config` message per entity under
/// `<discovery prefix>/<component>/<node>_<camera>_<object>/config`, each with `unique_id`, a
/// `device` block and the node's availability topic.
public struct HomeAssistantDiscovery: Sendable {
    public let prefix: String
    public let topics: MQTTTopics
    public let cameras: [String]
    public let version: String

    public init(prefix: String, topics: MQTTTopics, cameras: [String], version: String) {
        self.prefix = prefix
        self.topics = topics
        self.cameras = cameras
        self.version = version
    }

    /// Where Home Assistant says `online` when it (re)starts.
    public var birthTopic: String { "\(prefix)/status" }

    /// Every entity's config topic and payload (JSON).
    public var messages: [(topic: String, payload: [UInt8])] {
        entities.map { entity in
            ("\(prefix)/\(entity.component)/\(entity.objectID)/config", MQTTJSON.encode(JSONValue.object(entity.config)))
        }
    }

    /// The config topics of `cameras`' entities (with this discovery's prefix and node), such
    /// as those of cameras a reload removed, to be cleared with empty retained messages.
    public func configTopics(cameras: [String]) -> [String] {
        let others = HomeAssistantDiscovery(prefix: prefix, topics: topics, cameras: cameras, version: version)
        let nodeWide = Set(HomeAssistantDiscovery(prefix: prefix, topics: topics, cameras: [], version: version).entities.map(\.objectID))
        return others.entities.filter { !nodeWide.contains($0.objectID) }.map { "\(prefix)/\($0.component)/\($0.objectID)/config" }
    }

    struct Entity {
        var component: String
        var objectID: String
        var config: [String: JSONValue]
    }

    var entities: [Entity] {
        let node = topics.node
        let device: JSONValue = .object([
            "identifiers": .array([.string("vigil_\(node)")]), "name": .string("Vigil \(node)"), "model": .string("Vigil camera node"),
            "manufacturer": .string("Vigil"), "sw_version": .string(version),
        ])
        func entity(_ component: String, _ object: String, name: String, _ fields: [String: JSONValue]) -> Entity {
            let id = "\(node)_\(object)"
            var config = fields
            config["unique_id"] = .string(id)
            config["object_id"] = .string(id)
            config["name"] = .string(name)
            config["device"] = device
            config["availability_topic"] = .string(topics.availability)
            config["payload_available"] = "online"
            config["payload_not_available"] = "offline"
            config["origin"] = .object(["name": "Vigil", "sw_version": .string(version)])
            return Entity(component: component, objectID: id, config: config)
        }
        var entities: [Entity] = [
            entity(
                "sensor", "disk_free", name: "Disk free",
                [
                    "state_topic": .string(topics.status), "value_template": "{{ value_json.disk_free_bytes }}",
                    "device_class": "data_size", "unit_of_measurement": "B", "state_class": "measurement",
                ])
        ]
        for camera in cameras {
            entities += [
                entity(
                    "binary_sensor", "\(camera)_motion", name: "\(camera) motion",
                    ["state_topic": .string(topics.motion(camera)), "payload_on": "ON", "payload_off": "OFF", "device_class": "motion"]),
                entity("camera", "\(camera)_snapshot", name: "\(camera) snapshot", ["topic": .string(topics.snapshot(camera))]),
                entity(
                    "sensor", "\(camera)_frames_per_minute", name: "\(camera) frames per minute",
                    [
                        "state_topic": .string(topics.state(camera)), "value_template": "{{ value_json.frames_per_minute }}",
                        "unit_of_measurement": "frames/min", "state_class": "measurement",
                    ]),
                entity(
                    "button", "\(camera)_trigger", name: "\(camera) record",
                    ["command_topic": .string(topics.command(camera, "trigger")), "payload_press": "30s"]),
                entity(
                    "select", "\(camera)_ir", name: "\(camera) IR mode",
                    [
                        "command_topic": .string(topics.command(camera, "ir")), "state_topic": .string(topics.irState(camera)),
                        "options": .array(["auto", "on", "off"]),
                    ]),
            ]
        }
        return entities
    }
}

/// JSON built by hand where a Codable type per shape would be longer than the shape.
indirect enum JSONValue: Encodable, Sendable, ExpressibleByStringLiteral {
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(stringLiteral value: String) { self = .string(value) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let fields): try container.encode(fields)
        }
    }
}
