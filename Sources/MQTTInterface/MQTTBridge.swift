import EventStore
import Files
import Foundation
import Logging
import Node
import Recorder
import Synchronization

/// The node on MQTT: a consumer of ``CameraNode``'s typed API that publishes its availability,
/// each camera's state and motion, its events (through the durable outbox in the event index,
/// QoS 1, removed only once the broker acknowledged them), snapshots and Home Assistant
/// discovery, and carries out the commands it receives (`trigger`, `snapshot`, `ir`).
///
/// Make it before ``CameraNode/run(for:)`` (it subscribes to the node's events then) and
/// ``run()`` it beside the node: it returns once the node has stopped, after saying `offline`.
/// The broker being away, refusing the password or going away mid-run never stops recording:
/// the client reconnects with back-off, and events wait in the outbox.
public final class MQTTBridge: Sendable {
    public let topics: MQTTTopics
    private let discoveryPrefix: String?
    private let node: CameraNode
    private let client: MQTTClient
    private let outbox: EventIndex
    private let logger: Logger
    private let endpoint: String
    private let events: Subscription<RecorderEvent>
    private let wake: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    private let commands: (stream: AsyncStream<Command>, continuation: AsyncStream<Command>.Continuation)
    private let shared = Mutex(Shared())

    private struct Shared {
        /// Outbox rows handed to the client, by message id, awaiting the broker's PUBACK.
        var inFlight: [Int32: Int64] = [:]
        /// The last outbox row handed to the client in this run.
        var sentUpTo: Int64 = 0
        var connectedOnce = false
        var lastRefusal: Int32?
        var lastCameraStates: [String: MQTTCameraState] = [:]
        var lastStatus: MQTTNodeStatus?
        /// The cameras whose discovery configs were last published (a reload may change them).
        var discoveredCameras: [String]?
        /// Each open event's last `after`, and the movies finished for it so far.
        var sides: [Int64: MQTTEventSide] = [:]
        var movies: [Int64: [String]] = [:]
        var acknowledged = 0
    }

    enum Command: Sendable {
        case camera(topic: String, camera: String, feature: String, payload: [UInt8])
        case rediscover
    }

    /// Home Assistant discovery for the node's cameras as they are now (nil when it is off).
    public var discovery: HomeAssistantDiscovery? {
        discoveryPrefix.map { HomeAssistantDiscovery(prefix: $0, topics: topics, cameras: node.cameraNames, version: Self.version) }
    }

    /// The version Home Assistant's device page shows.
    public static let version = "0.1.0"

    /// Makes the client for `settings` (reading the password file) and subscribes to `node`'s
    /// events. Throws for a password file that cannot be read or settings libmosquitto refuses.
    public init(node: CameraNode, settings: NodeConfiguration.MQTT, logger: Logger) throws {
        let topics = MQTTTopics(prefix: settings.topicPrefix, node: settings.nodeName)
        self.topics = topics
        self.node = node
        self.logger = logger
        endpoint = "\(settings.broker):\(settings.effectivePort)"
        var connection = MQTTConnection(host: settings.broker, port: settings.effectivePort, clientID: "vigil-\(topics.node)")
        connection.protocolVersion5 = settings.protocolVersion == .v5
        connection.keepAliveSeconds = Int32(clamping: settings.keepAlive.components.seconds)
        connection.username = settings.username
        if let file = settings.passwordFile {
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                connection.password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            } catch {
                throw NodeError("mqtt: cannot read the password file \(file): \(error.localizedDescription)")
            }
            if let mode = try? FileSystem.status(of: file).permissions, mode & 0o004 != 0 {
                logger.warning(
                    "mqtt: the password file \(file) can be read by every user (mode \(String(mode, radix: 8))); chmod 600 it, or 640 with the node's group")
            }
        }
        connection.tls = settings.tls
        connection.caFile = settings.caFile
        connection.will = (topics.availability, "offline")
        client = try MQTTClient(connection)
        outbox = node.index
        discoveryPrefix = settings.discoveryPrefix
        events = node.events(bufferSize: 4096)
        wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        commands = AsyncStream.makeStream(of: Command.self, bufferingPolicy: .bufferingNewest(256))
        client.setCallbacks(callbacks())
    }

    /// Messages the broker acknowledged from the outbox in this run.
    public var acknowledged: Int { shared.withLock { $0.acknowledged } }

    /// Publishes until the node stops; then tries for up to `flush` to empty the outbox, says
    /// `offline` and disconnects.
    public func run(flush: Duration = .seconds(2)) async {
        do {
            try client.start()
            if let error = client.lastConnectError.withLock({ $0 }) {
                logger.warning("mqtt: broker \(endpoint) not reachable yet (\(error)); retrying in the background")
            }
        } catch {
            logger.error("mqtt: cannot connect to \(endpoint): \(error); recording goes on without MQTT")
            for await event in events { _ = event }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.consumeEvents() }
            group.addTask { await self.drainOutbox() }
            group.addTask { await self.publishStates() }
            group.addTask { await self.carryOutCommands() }
            await group.next()
            wake.continuation.yield()
            let deadline = ContinuousClock.now + flush
            while ContinuousClock.now < deadline, client.isConnected {
                do {
                    if try outbox.outboxCount() == 0 { break }
                } catch {
                    logger.error("mqtt: cannot read the outbox to drain it before stopping (\(error)); its events are sent at the next start")
                    break
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
        }
        wake.continuation.finish()
        commands.continuation.finish()
        if client.isConnected {
            publish(topics.availability, Array("offline".utf8), qos: 1, retain: true)
            try? await Task.sleep(for: .milliseconds(100))
        }
        await client.stop()
    }

    // MARK: The network thread's callbacks (must return at once)

    private func callbacks() -> MQTTCallbacks {
        var callbacks = MQTTCallbacks()
        callbacks.connected = { [weak self] code, description in self?.connected(code, description) }
        callbacks.disconnected = { [weak self] code in
            guard let self, code != 0 else { return }
            logger.warning("mqtt: lost the broker \(endpoint) (code \(code)); reconnecting")
        }
        callbacks.published = { [weak self] messageID in self?.acknowledge(messageID) }
        callbacks.message = { [weak self] topic, payload, _ in self?.received(topic, payload) }
        return callbacks
    }

    private func connected(_ code: Int32, _ description: String) {
        guard code == 0 else {
            let changed = shared.withLock { shared in
                defer { shared.lastRefusal = code }
                return shared.lastRefusal != code
            }
            if changed {
                logger.error("mqtt: the broker \(endpoint) refused the connection: \(description) (check username and password-file); recording goes on, retrying")
            }
            return
        }
        shared.withLock { shared in
            shared.connectedOnce = true
            shared.lastRefusal = nil
            // Retained state may have changed while away: say it all again.
            shared.lastCameraStates = [:]
            shared.lastStatus = nil
        }
        logger.notice("mqtt: connected to \(endpoint) as \(topics.node)")
        publish(topics.availability, Array("online".utf8), qos: 1, retain: true)
        do {
            try client.subscribe(topics.commands)
            if let discovery { try client.subscribe(discovery.birthTopic) }
        } catch {
            logger.error("mqtt: \(error)")
        }
        commands.continuation.yield(.rediscover)
        wake.continuation.yield()
    }

    private func acknowledge(_ messageID: Int32) {
        let row = shared.withLock { shared in
            let row = shared.inFlight.removeValue(forKey: messageID)
            if row != nil { shared.acknowledged += 1 }
            return row
        }
        guard let row else { return }
        do {
            try outbox.removeFromOutbox(id: row)
        } catch {
            logger.error("mqtt: \(error)")
        }
    }

    private func received(_ topic: String, _ payload: [UInt8]) {
        if let discovery, topic == discovery.birthTopic {
            if payload == Array("online".utf8) { commands.continuation.yield(.rediscover) }
            return
        }
        guard let (camera, feature) = topics.parseCommand(topic) else { return }
        if case .dropped = commands.continuation.yield(.camera(topic: topic, camera: camera, feature: feature, payload: payload)) {
            logger.warning("mqtt: commands arrive faster than they are carried out; the oldest was dropped")
        }
    }

    // MARK: Tasks

    private func consumeEvents() async {
        for await event in events {
            switch event {
            case .eventStarted(let record):
                publish(topics.motion(record.camera), Array("ON".utf8), qos: 1, retain: true)
                enqueueEvent(.new, record)
            case .eventUpdated(let record):
                enqueueEvent(.update, record)
            case .eventEnded(let record):
                enqueueEvent(.end, record)
                publish(topics.motion(record.camera), Array("OFF".utf8), qos: 1, retain: true)
            case .movieFinished(let movie):
                if let id = movie.event?.id { shared.withLock { $0.movies[id, default: []].append(movie.path) } }
            case .snapshotTaken(let camera, _, let path, _):
                do {
                    let jpeg = try Data(contentsOf: URL(fileURLWithPath: path))
                    publish(topics.snapshot(camera), Array(jpeg), qos: 0, retain: true)
                } catch {
                    logger.warning("mqtt: cannot read the snapshot \(path): \(error.localizedDescription)")
                }
            default:
                break
            }
        }
    }

    private func enqueueEvent(_ kind: MQTTEventMessage.Kind, _ record: EventRecord) {
        let message = shared.withLock { shared in
            let after = MQTTEventSide(node: topics.node, event: record, movies: shared.movies[record.id] ?? [])
            let before = shared.sides[record.id] ?? after
            if kind == .end {
                shared.sides[record.id] = nil
                shared.movies[record.id] = nil
            } else {
                shared.sides[record.id] = after
            }
            return MQTTEventMessage(type: kind, before: before, after: after)
        }
        do {
            try outbox.enqueueOutbox(topic: topics.events, payload: MQTTJSON.encode(message), created: record.start)
            wake.continuation.yield()
        } catch {
            logger.error("mqtt: event \(record.id) not put in the outbox: \(error)")
        }
    }

    /// Hands the outbox to the client in order, each row once in this run: the client keeps
    /// unacknowledged QoS 1 messages across reconnects and sends them again itself. Rows left
    /// by an earlier run go first.
    private func drainOutbox() async {
        for await _ in wake.stream {
            guard shared.withLock({ $0.connectedOnce }) else { continue }
            while !Task.isCancelled {
                let after = shared.withLock { $0.sentUpTo }
                let rows: [OutboxMessage]
                do {
                    rows = try outbox.outbox(after: after, limit: 100)
                } catch {
                    logger.error("mqtt: \(error)")
                    break
                }
                if rows.isEmpty { break }
                var failed = false
                for row in rows {
                    // The lock spans publish and record, so an acknowledgement cannot come first.
                    let error = shared.withLock { (shared: inout Shared) -> MQTTError? in
                        do throws(MQTTError) {
                            if let id = try client.publish(row.topic, row.payload, qos: 1, retain: row.retain) { shared.inFlight[id] = row.id }
                            shared.sentUpTo = row.id
                            return nil
                        } catch {
                            return error
                        }
                    }
                    if let error {
                        logger.error("mqtt: outbox message \(row.id): \(error); retried later")
                        failed = true
                        break
                    }
                }
                if failed { break }
            }
        }
    }

    /// The node's status and each camera's state, when they changed, at most once a second.
    private func publishStates() async {
        while !Task.isCancelled {
            let status = node.status
            let ir = status.gpio["ir-led"]
            let node = MQTTNodeStatus(node: topics.node, cameras: self.node.cameraNames, status: status)
            let changed = shared.withLock { shared in
                var changed: [(String, [UInt8])] = []
                for camera in status.cameras {
                    let state = MQTTCameraState(camera, ir: ir)
                    if shared.lastCameraStates[camera.name] != state {
                        shared.lastCameraStates[camera.name] = state
                        changed.append((topics.state(camera.name), MQTTJSON.encode(state)))
                    }
                }
                if shared.lastStatus != node {
                    shared.lastStatus = node
                    changed.append((topics.status, MQTTJSON.encode(node)))
                }
                return changed
            }
            for (topic, payload) in changed { publish(topic, payload, qos: 0, retain: true) }
            if let discovery, let before = shared.withLock({ $0.discoveredCameras }), before != discovery.cameras {
                publishDiscovery(discovery)
            }
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
        }
    }

    /// Publishes every entity's config, and an empty retained config (Home Assistant's way of
    /// removing an entity) for each entity of the cameras published before and gone since.
    private func publishDiscovery(_ discovery: HomeAssistantDiscovery) {
        let removed = (shared.withLock { $0.discoveredCameras } ?? []).filter { !discovery.cameras.contains($0) }
        for (topic, payload) in discovery.messages { publish(topic, payload, qos: 1, retain: true) }
        for topic in discovery.configTopics(cameras: removed) { publish(topic, [], qos: 1, retain: true) }
        shared.withLock { $0.discoveredCameras = discovery.cameras }
        if !removed.isEmpty { logger.info("mqtt: discovery removed for \(removed.joined(separator: ", "))") }
    }

    private func carryOutCommands() async {
        for await command in commands.stream {
            switch command {
            case .rediscover:
                guard let discovery else { continue }
                publishDiscovery(discovery)
            case .camera(let topic, let camera, let feature, let payload):
                do {
                    try await carryOut(camera: camera, feature: feature, payload: payload)
                } catch {
                    answer(topic: topic, payload: payload, error: "\(error)")
                }
            }
        }
    }

    private func carryOut(camera: String, feature: String, payload: [UInt8]) async throws {
        guard node.cameraNames.contains(camera) else {
            throw NodeError("no camera named '\(camera)'; cameras: \(node.cameraNames.joined(separator: ", "))")
        }
        switch try MQTTCommand.parse(feature: feature, payload: payload) {
        case .trigger(let duration):
            let triggered = try node.trigger(camera: camera, for: duration)
            logger.info("mqtt: triggered \(triggered.joined(separator: ", "))")
        case .snapshot:
            let frame = try await node.snapshot(camera: camera)
            publish(topics.snapshot(camera), Array(frame.jpeg), qos: 0, retain: true)
        case .illuminator(let mode):
            try node.setIlluminator(mode)
            publish(topics.irState(camera), Array(mode.rawValue.utf8), qos: 1, retain: true)
        }
    }

    private func answer(topic: String, payload: [UInt8], error: String) {
        logger.warning("mqtt: command on \(topic) failed: \(error)")
        struct Answer: Encodable {
            var topic: String
            var payload: String
            var error: String
        }
        let shown = String(decoding: payload.prefix(256), as: UTF8.self)
        publish(topics.errors, MQTTJSON.encode(Answer(topic: topic, payload: shown, error: error)), qos: 1, retain: false)
    }

    private func publish(_ topic: String, _ payload: [UInt8], qos: Int32, retain: Bool) {
        do {
            try client.publish(topic, payload, qos: qos, retain: retain)
        } catch {
            logger.warning("mqtt: \(error)")
        }
    }
}
