import Foundation
import Synchronization

/// Every node on a broker, as their retained `availability` and `status` messages and their
/// `events` say: what `vigil fleet status` shows.
public final class FleetView: Sendable {
    /// One node as last heard.
    public struct Node: Sendable, Codable, Hashable {
        public var name: String
        public var online: Bool?
        public var status: MQTTNodeStatus?
        /// The last `events` message's event, if one was heard while watching.
        public var lastEventHeard: MQTTEventSide?
        public var messages = 0
        /// Messages on this node's topics that were not what Vigil publishes (not JSON of the
        /// expected shape), and what was wrong with the last of them: a node of another version,
        /// or something else publishing under the prefix.
        public var undecodable = 0
        public var lastUndecodable: String?

        public init(name: String) { self.name = name }
    }

    /// What a new ``MQTTEventSide`` arrival looked like, for latency measurements.
    public struct Arrival: Sendable {
        public var message: MQTTEventMessage
        public var received: Date
    }

    /// The most nodes kept (as many as `vigil fleet simulate` makes); messages naming further
    /// nodes are counted in ``ignoredMessages`` and dropped, so that whatever publishes under the
    /// prefix cannot grow the watcher without bound.
    public static let maximumNodes = 10_000

    public let prefix: String
    private let client: MQTTClient
    private let state = Mutex<(nodes: [String: Node], connected: Bool, refusal: String?, ignored: Int)>(([:], false, nil, 0))
    private let onEvent: (@Sendable (Arrival) -> Void)?

    /// Makes the watcher (nothing is sent before ``start()``); `onEvent` sees every `events`
    /// message as it arrives, on the client's thread.
    public init(connection: MQTTConnection, prefix: String = "vigil", onEvent: (@Sendable (Arrival) -> Void)? = nil) throws(MQTTError) {
        self.prefix = prefix
        self.onEvent = onEvent
        client = try MQTTClient(connection)
        let topics = ["\(prefix)/+/availability", "\(prefix)/+/status", "\(prefix)/+/events"]
        var callbacks = MQTTCallbacks()
        callbacks.connected = { [weak self] code, description in
            guard let self else { return }
            guard code == 0 else {
                state.withLock { $0.refusal = description }
                return
            }
            state.withLock { $0.connected = true }
            for topic in topics {
                do { try client.subscribe(topic) } catch { state.withLock { $0.refusal = "\(error)" } }
            }
        }
        callbacks.message = { [weak self] topic, payload, _ in self?.received(topic, payload) }
        client.setCallbacks(callbacks)
    }

    public func start() throws(MQTTError) { try client.start() }
    public func stop() async { await client.stop() }

    /// Whether the broker took the connection; the broker's refusal, if it refused.
    public var connection: (connected: Bool, refusal: String?) { state.withLock { ($0.connected, $0.refusal) } }

    /// Messages dropped because they named a node past ``maximumNodes``.
    public var ignoredMessages: Int { state.withLock { $0.ignored } }

    /// The nodes heard of so far, by name.
    public var nodes: [Node] { state.withLock { $0.nodes.values.sorted { $0.name < $1.name } } }

    /// One message as the broker delivered it (internal for the fuzz harness).
    func received(_ topic: String, _ payload: [UInt8]) {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count == 3, levels[0] == prefix else { return }
        let name = String(levels[1])
        var arrival: Arrival?
        state.withLock { state in
            guard state.nodes[name] != nil || state.nodes.count < Self.maximumNodes else {
                state.ignored += 1
                return
            }
            var node = state.nodes[name] ?? Node(name: name)
            node.messages += 1
            switch levels[2] {
            case "availability":
                node.online = payload == Array("online".utf8)
            case "status":
                do {
                    node.status = try JSONDecoder().decode(MQTTNodeStatus.self, from: Data(payload))
                } catch {
                    node.status = nil
                    node.noteUndecodable(topic: topic, error)
                }
            case "events":
                do {
                    let message = try JSONDecoder().decode(MQTTEventMessage.self, from: Data(payload))
                    node.lastEventHeard = message.after
                    arrival = Arrival(message: message, received: Date())
                } catch {
                    node.noteUndecodable(topic: topic, error)
                }
            default:
                break
            }
            state.nodes[name] = node
        }
        if let arrival { onEvent?(arrival) }
    }
}

extension FleetView.Node {
    fileprivate mutating func noteUndecodable(topic: String, _ error: any Error) {
        undecodable += 1
        let reason: String
        switch error {
        case DecodingError.keyNotFound(let key, _): reason = "no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            reason = "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: reason = "not JSON"
        default: reason = "\(error)"
        }
        lastUndecodable = "\(topic): \(reason)"
    }
}
