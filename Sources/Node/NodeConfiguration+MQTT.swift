import BoardSupport
import Foundation
import HAL
import Yams

extension NodeConfiguration {
    /// The node's MQTT client (`mqtt:` in the configuration); the node publishes nothing when absent.
    public struct MQTT: Sendable, Hashable {
        public enum ProtocolVersion: String, Sendable, CaseIterable {
            case v311 = "3.1.1"
            case v5 = "5"
        }

        /// The broker's host name or address.
        public var broker = "localhost"
        /// Default: 1883, or 8883 with TLS.
        public var port: Int?
        public var protocolVersion = ProtocolVersion.v311
        /// TLS on, with the system's certificate authorities unless ``caFile`` names others.
        public var tls = false
        /// A PEM file of the certificate authorities to trust (implies ``tls``).
        public var caFile: String?
        public var username: String?
        /// A file whose first line is the password (so the configuration can be world-readable).
        public var passwordFile: String?
        /// The first level of every topic.
        public var topicPrefix = "vigil"
        /// The node's name in topics and the client id. Default: the host name.
        public var node: String?
        /// Home Assistant's discovery prefix; nil turns discovery off.
        public var discoveryPrefix: String? = "homeassistant"
        public var keepAlive = Duration.seconds(30)

        public init(broker: String = "localhost") { self.broker = broker }

        /// The port to connect to.
        public var effectivePort: Int { port ?? (tls ? 8883 : 1883) }

        /// The node's name: ``node`` or the host name, made topic-safe.
        public var nodeName: String {
            let name = node ?? ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "vigil"
            let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            return safe.isEmpty ? "vigil" : safe
        }
    }
}

extension NodeConfigurationParser {
    mutating func mqtt(_ node: Yams.Node) -> NodeConfiguration.MQTT? {
        let keys = [
            "broker", "port", "protocol", "tls", "ca-file", "username", "password-file", "topic-prefix", "node", "discovery-prefix",
            "keep-alive",
        ]
        guard let fields = reader.fields(of: node, subject: "'mqtt'", context: "in mqtt", allowed: keys) else { return nil }
        var mqtt = NodeConfiguration.MQTT()
        if let node = fields["broker"], let value = reader.text(node, fields.what("broker")) { mqtt.broker = value }
        if let node = fields["port"], let value = reader.integer(node, fields.what("port")) {
            if (1...65535).contains(value) { mqtt.port = value } else { reader.report("\(fields.what("port")) must be from 1 to 65535, not \(value)", at: node) }
        }
        if let node = fields["protocol"] {
            if let text = reader.text(node, fields.what("protocol")) {
                if let version = NodeConfiguration.MQTT.ProtocolVersion(rawValue: text) {
                    mqtt.protocolVersion = version
                } else {
                    reader.report("\(fields.what("protocol")) must be 3.1.1 or 5, not '\(text)'", at: node)
                }
            }
        }
        if let node = fields["tls"], let value = reader.bool(node, fields.what("tls")) { mqtt.tls = value }
        if let node = fields["ca-file"], let value = reader.text(node, fields.what("ca-file")) {
            mqtt.caFile = value
            mqtt.tls = true
        }
        if let node = fields["username"], let value = reader.text(node, fields.what("username")) { mqtt.username = value }
        if let node = fields["password-file"], let value = reader.text(node, fields.what("password-file")) { mqtt.passwordFile = value }
        for (key, path) in [("topic-prefix", \NodeConfiguration.MQTT.topicPrefix), ("node", \.nodeOrEmpty), ("discovery-prefix", \.discoveryOrEmpty)] {
            guard let node = fields[key], let value = reader.text(node, fields.what(key)) else { continue }
            if value.isEmpty || value.contains(where: { "+#/".contains($0) || $0.isWhitespace }) {
                reader.report("\(fields.what(key)) must be one topic level without '+', '#', '/' or spaces, not '\(value)'", at: node)
            } else {
                mqtt[keyPath: path] = value
            }
        }
        if let node = fields["keep-alive"], let value = reader.duration(node, fields.what("keep-alive")) {
            if value >= .seconds(5), value <= .seconds(65535) { mqtt.keepAlive = value } else {
                reader.report("\(fields.what("keep-alive")) must be from 5 s to 65535 s, not \(value.humanReadable)", at: node)
            }
        }
        return mqtt
    }
}

extension NodeConfiguration.MQTT {
    fileprivate var nodeOrEmpty: String {
        get { node ?? "" }
        set { node = newValue }
    }

    fileprivate var discoveryOrEmpty: String {
        get { discoveryPrefix ?? "" }
        set { discoveryPrefix = newValue }
    }
}
