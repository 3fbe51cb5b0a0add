import CMosquitto
import Foundation
import Synchronization

/// Where and how an ``MQTTClient`` connects.
public struct MQTTConnection: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var clientID: String
    public var protocolVersion5 = false
    public var keepAliveSeconds: Int32 = 30
    public var username: String?
    public var password: String?
    /// TLS on; ``caFile`` nil trusts the system's certificate authorities.
    public var tls = false
    public var caFile: String?
    /// The last will: published by the broker when the client goes away without saying so.
    public var will: (topic: String, payload: String)? {
        get { willTopic.map { ($0, willPayload) } }
        set {
            willTopic = newValue?.topic
            willPayload = newValue?.payload ?? ""
        }
    }
    var willTopic: String?
    var willPayload = ""
    /// Automatic reconnect back-off: from `reconnectDelay` doubling to `reconnectDelayMax` seconds.
    public var reconnectDelay: UInt32 = 1
    public var reconnectDelayMax: UInt32 = 30

    public init(host: String, port: Int, clientID: String) {
        self.host = host
        self.port = port
        self.clientID = clientID
    }
}

/// What the client's network thread reports.
public struct MQTTCallbacks: Sendable {
    /// The broker answered the CONNECT: 0 accepted, else its refusal code and words.
    public var connected: @Sendable (_ code: Int32, _ description: String) -> Void = { _, _ in }
    /// The connection ended (0: asked for; else unexpected; the client reconnects by itself).
    public var disconnected: @Sendable (_ code: Int32) -> Void = { _ in }
    /// The broker acknowledged the QoS 1 message with this id (or a QoS 0 one was sent).
    public var published: @Sendable (_ messageID: Int32) -> Void = { _ in }
    /// A message on a subscribed topic.
    public var message: @Sendable (_ topic: String, _ payload: [UInt8], _ retained: Bool) -> Void = { _, _, _ in }

    public init() {}
}

/// One MQTT client on libmosquitto: its network thread (`mosquitto_loop_start`) connects,
/// keeps alive and reconnects with back-off; the callbacks run on that thread and must return
/// quickly. Publishing and subscribing may be called from any thread and never wait for the
/// network: with the broker away, QoS 1 messages are queued (in memory) and go out, in order,
/// after the reconnect.
///
/// Thread safety: libmosquitto's calls are thread-safe (it is built with threads); the
/// callbacks are set once before ``start()``.
public final class MQTTClient: @unchecked Sendable {
    private let handle: OpaquePointer
    private let callbacks: Mutex<MQTTCallbacks>
    private let connection: MQTTConnection
    private let state = Mutex<(started: Bool, connected: Bool, stopped: Bool)>((false, false, false))

    /// Makes the client (nothing is sent before ``start()``); throws for settings libmosquitto
    /// refuses (TLS files it cannot read, an invalid will).
    public init(_ connection: MQTTConnection, callbacks: MQTTCallbacks = MQTTCallbacks()) throws(MQTTError) {
        try Mosquitto.initialize()
        self.connection = connection
        self.callbacks = Mutex(callbacks)
        guard let handle = vigil_mosquitto_new(connection.clientID, true, nil) else {
            throw MQTTError(call: "mosquitto_new", code: Int32(errno), message: String(cString: strerror(errno)))
        }
        self.handle = handle
        do {
            try configure()
        } catch {
            vigil_mosquitto_destroy(handle)
            throw error
        }
    }

    deinit {
        vigil_mosquitto_destroy(handle)
    }

    private func configure() throws(MQTTError) {
        vigil_mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        let version = connection.protocolVersion5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try Mosquitto.call("mosquitto_int_option(PROTOCOL_VERSION)") {
            vigil_mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, Int32(truncatingIfNeeded: version))
        }
        if let username = connection.username {
            try Mosquitto.call("mosquitto_username_pw_set") { vigil_mosquitto_username_pw_set(handle, username, connection.password) }
        }
        if let topic = connection.willTopic {
            let payload = Array(connection.willPayload.utf8)
            try Mosquitto.call("mosquitto_will_set") {
                vigil_mosquitto_will_set(handle, topic, Int32(payload.count), payload, 1, true)
            }
        }
        if connection.tls {
            if let caFile = connection.caFile {
                try Mosquitto.call("mosquitto_tls_set(\(caFile))") { vigil_mosquitto_tls_set(handle, caFile, nil, nil, nil, nil) }
            } else {
                try Mosquitto.call("mosquitto_int_option(TLS_USE_OS_CERTS)") { vigil_mosquitto_int_option(handle, MOSQ_OPT_TLS_USE_OS_CERTS, 1) }
            }
        }
        try Mosquitto.call("mosquitto_reconnect_delay_set") {
            vigil_mosquitto_reconnect_delay_set(handle, connection.reconnectDelay, connection.reconnectDelayMax, true)
        }
        vigil_mosquitto_connect_callback_set(handle) { _, context, code in
            MQTTClient.from(context)?.callbacks.withLock { $0 }.connected(code, Mosquitto.connackDescription(code))
            if code == 0 { MQTTClient.from(context)?.state.withLock { $0.connected = true } }
        }
        vigil_mosquitto_disconnect_callback_set(handle) { _, context, code in
            MQTTClient.from(context)?.state.withLock { $0.connected = false }
            MQTTClient.from(context)?.callbacks.withLock { $0 }.disconnected(code)
        }
        vigil_mosquitto_publish_callback_set(handle) { _, context, messageID in
            MQTTClient.from(context)?.callbacks.withLock { $0 }.published(messageID)
        }
        vigil_mosquitto_message_callback_set(handle) { _, context, message in
            guard let client = MQTTClient.from(context), let message = message?.pointee, let topic = message.topic else { return }
            let count = Int(max(0, message.payloadlen))
            let payload = message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
            client.callbacks.withLock { $0 }.message(String(cString: topic), payload, message.retain)
        }
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MQTTClient? {
        context.map { Unmanaged<MQTTClient>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Replaces the callbacks (before ``start()``).
    public func setCallbacks(_ callbacks: MQTTCallbacks) { self.callbacks.withLock { $0 = callbacks } }

    /// Whether the broker accepted the connection and it has not ended since.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// Starts the network thread and the first connection attempt; a broker that is away is
    /// retried with back-off (the failure is not thrown: it is only the first of many tries).
    /// Throws only for what no retry can mend (an invalid host or port).
    public func start() throws(MQTTError) {
        guard (1...65535).contains(connection.port) else {
            throw MQTTError(call: "mosquitto_connect_async", code: Mosquitto.code(MOSQ_ERR_INVAL), message: "port \(connection.port) is out of range")
        }
        try Mosquitto.call("mosquitto_loop_start") { vigil_mosquitto_loop_start(handle) }
        state.withLock { $0.started = true }
        let result = vigil_mosquitto_connect_async(handle, connection.host, Int32(connection.port), connection.keepAliveSeconds)
        if result == Mosquitto.code(MOSQ_ERR_INVAL) { throw Mosquitto.error("mosquitto_connect_async(\(connection.host):\(connection.port))", result) }
        // Any other failure (refused, unreachable) is retried by the network thread.
        lastConnectError.withLock { $0 = result == Mosquitto.success ? nil : Mosquitto.error("mosquitto_connect_async(\(connection.host):\(connection.port))", result) }
    }

    /// The first connection attempt's failure, if it failed (the network thread retries).
    public let lastConnectError = Mutex<MQTTError?>(nil)

    /// Publishes `payload` on `topic`; returns the message id (what ``MQTTCallbacks/published``
    /// reports). A QoS 1 message published while the broker is away is queued and sent after
    /// the reconnect; a QoS 0 one is lost then (nil is returned).
    @discardableResult
    public func publish(_ topic: String, _ payload: [UInt8], qos: Int32 = 0, retain: Bool = false) throws(MQTTError) -> Int32? {
        guard payload.count <= 268_435_455 else {
            throw MQTTError(call: "mosquitto_publish(\(topic))", code: Mosquitto.code(MOSQ_ERR_PAYLOAD_SIZE), message: "payload too large")
        }
        var messageID: Int32 = 0
        let result = payload.withUnsafeBytes { bytes in
            vigil_mosquitto_publish(handle, &messageID, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
        }
        if result == Mosquitto.noConnection { return qos > 0 ? messageID : nil }
        guard result == Mosquitto.success else { throw Mosquitto.error("mosquitto_publish(\(topic))", result) }
        return messageID
    }

    /// ``publish(_:_:qos:retain:)`` of a string's UTF-8.
    @discardableResult
    public func publish(_ topic: String, _ text: String, qos: Int32 = 0, retain: Bool = false) throws(MQTTError) -> Int32? {
        try publish(topic, Array(text.utf8), qos: qos, retain: retain)
    }

    /// Subscribes to `pattern` (wildcards allowed). Say it again after each reconnect: the
    /// session is clean.
    public func subscribe(_ pattern: String, qos: Int32 = 1) throws(MQTTError) {
        try Mosquitto.call("mosquitto_subscribe(\(pattern))") { vigil_mosquitto_subscribe(handle, nil, pattern, qos) }
    }

    /// Disconnects (the broker then does not send the last will) and ends the network thread,
    /// on a thread of its own so no task waits on the join.
    public func stop() async {
        let started = state.withLock { state in
            defer { state.stopped = true }
            return state.started && !state.stopped
        }
        guard started else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                vigil_mosquitto_disconnect(handle)
                vigil_mosquitto_loop_stop(handle, false)
                continuation.resume()
            }
            thread.name = "mqtt-stop"
            thread.start()
        }
    }
}
