@testable import MQTTInterface
import Node

/// A message as the broker delivers it to a node or to `vigil fleet status`: the topic, a zero
/// byte, the payload. A command topic's payload parses or is refused with a reason; fleet
/// messages decode or are counted as undecodable; nothing traps, and the watcher stays bounded.
enum MQTTHarness {
    static let topics = MQTTTopics(prefix: "vigil", node: "node")
    /// One watcher for the whole run (never started: no connection is made).
    nonisolated(unsafe) static var fleet: FleetView?

    static func message(_ bytes: [UInt8]) {
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        let topic = String(decoding: bytes[..<split], as: UTF8.self)
        let payload = Array(bytes[min(split + 1, bytes.endIndex)...])

        if let (camera, feature) = topics.parseCommand(topic) {
            require(!camera.contains("/") && !feature.contains("/"), "command topic \(topic) split wrongly")
            do {
                switch try MQTTCommand.parse(feature: feature, payload: payload) {
                case .trigger(let duration?):
                    require(duration >= .zero && duration <= Duration.humanReadableLimit, "trigger for \(duration)")
                case .trigger(nil), .snapshot:
                    break
                case .illuminator(let mode):
                    require(mode != .schedule, "an IR schedule set over MQTT")
                }
                require(payload.count <= MQTTCommand.maximumPayload, "a payload of \(payload.count) bytes taken")
            } catch {
                _ = "\(error)"
            }
        }

        if fleet == nil {
            do {
                fleet = try FleetView(connection: MQTTConnection(host: "127.0.0.1", port: 1883, clientID: "vigil-fuzz"))
            } catch {
                require(false, "no watcher: \(error)")
            }
        }
        guard let fleet else { return }
        let before = fleet.nodes.reduce(0) { $0 + $1.messages } + fleet.ignoredMessages
        fleet.received(topic, payload)
        let after = fleet.nodes.reduce(0) { $0 + $1.messages } + fleet.ignoredMessages
        require(after - before <= 1, "one message counted \(after - before) times")
        require(fleet.nodes.count <= FleetView.maximumNodes, "\(fleet.nodes.count) nodes kept")
    }
}
