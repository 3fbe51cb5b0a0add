import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real Mosquitto broker for a test: on a free loopback port (127.0.0.1 only), with a
/// generated configuration in a scratch folder; ``stop()`` ends it, ``start()`` starts it again
/// on the same port with the same persistence (to play a broker outage).
public final class MosquittoBroker: @unchecked Sendable {
    /// What the broker needs, when it is there; nil (with ``missingReason``) otherwise.
    public static let executable: String? = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    public static let subscriber = "/usr/bin/mosquitto_sub"
    public static let publisher = "/usr/bin/mosquitto_pub"
    public static var isAvailable: Bool {
        executable != nil && FileManager.default.isExecutableFile(atPath: subscriber)
            && FileManager.default.isExecutableFile(atPath: publisher)
    }
    public static let missingReason = "needs Debian's mosquitto and mosquitto-clients (Tools/setup installs them)"

    public let port: Int
    public let folder: TemporaryDirectory
    public let configurationPath: String
    private var process: Subprocess?

    /// Writes the configuration (`extra` lines are added to the listener's: TLS, passwords)
    /// and starts the broker, waiting (bounded) until it accepts connections.
    public init(extra: [String] = [], persistence: Bool = false) throws {
        folder = try TemporaryDirectory("mosquitto")
        port = try Self.freePort()
        configurationPath = folder.file("mosquitto.conf")
        // Run as root, mosquitto would switch to the user 'mosquitto', who cannot read this folder.
        let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "root"
        var lines = ["user \(user)", "listener \(port) 127.0.0.1"] + extra
        if !extra.contains(where: { $0.hasPrefix("allow_anonymous") }) { lines.append("allow_anonymous true") }
        if persistence {
            lines += ["persistence true", "persistence_location \(folder.path)/"]
        }
        lines += ["log_dest file \(folder.file("mosquitto.log"))", "log_type all"]
        try (lines.joined(separator: "\n") + "\n").write(toFile: configurationPath, atomically: true, encoding: .utf8)
        try start()
    }

    deinit {
        process.map { stopProcess($0, signal: SIGKILL) }
        folder.remove()
    }

    /// Starts the broker (again); throws when it does not listen within five seconds.
    public func start() throws {
        guard let executable = Self.executable else { throw BrokerError(description: Self.missingReason) }
        let started = try Subprocess(executable, ["-c", configurationPath], outputPath: folder.file("stdout.log"))
        process = started
        try waitBlockingUntil("mosquitto to listen on 127.0.0.1:\(port) (log: \(log))", within: .seconds(5)) {
            if kill(started.pid, 0) != 0 { throw BrokerError(description: "mosquitto exited at start: \(log)") }
            return Self.accepts(port: port)
        }
    }

    /// Ends the broker with `signal` (SIGTERM saves its persistence; SIGKILL does not) and waits.
    public func stop(signal: Int32 = SIGTERM) {
        if let process { stopProcess(process, signal: signal) }
        process = nil
    }

    private func stopProcess(_ process: Subprocess, signal: Int32) {
        if process.stop(signal).killed {
            print("MosquittoBroker: mosquitto did not end within 10 s of signal \(signal); killed (log: \(log))")
        }
    }

    /// The broker's log so far.
    public var log: String { (try? String(contentsOfFile: folder.file("mosquitto.log"), encoding: .utf8)) ?? "" }

    /// A port the kernel just handed out on 127.0.0.1, closed again for the broker to take.
    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BrokerError(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw BrokerError(description: "bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Publishes with `mosquitto_pub` (blocking until it is sent).
    public func publish(_ topic: String, _ payload: String, retain: Bool = false, extra: [String] = []) throws {
        let result = try Tool.run(
            Self.publisher, ["-h", "127.0.0.1", "-p", "\(port)", "-q", "1", "-t", topic, "-m", payload] + (retain ? ["-r"] : []) + extra)
        guard result.status == 0 else { throw BrokerError(description: "mosquitto_pub \(topic): \(result.output) \(result.error)") }
    }

    /// The first message's payload on `topic` within `seconds`, as bytes (a retained JPEG).
    public func readPayload(_ topic: String, seconds: Int = 2) throws -> [UInt8] {
        let path = folder.file("payload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = try Subprocess(
            Self.subscriber, ["-h", "127.0.0.1", "-p", "\(port)", "-t", topic, "-W", "\(seconds)", "-C", "1", "-N"], outputPath: path,
            errorPath: path + ".err")
        _ = process.wait()
        try? FileManager.default.removeItem(atPath: path + ".err")
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The retained messages (and any others) on `topic` within `seconds`, one line each
    /// (`topic payload` with `verbose`).
    public func read(_ topic: String, seconds: Int = 1, verbose: Bool = true, extra: [String] = []) throws -> [String] {
        let result = try Tool.run(
            Self.subscriber, ["-h", "127.0.0.1", "-p", "\(port)", "-t", topic, "-W", "\(seconds)"] + (verbose ? ["-v"] : []) + extra)
        return result.output.split(separator: "\n").map(String.init)
    }
}

/// A `mosquitto_sub` that keeps running, writing each message as a line (`-F` format) to a file.
public final class MosquittoSubscriber: @unchecked Sendable {
    private let process: Subprocess
    public let outputPath: String

    /// Subscribes to `topics` with QoS 1; `persistent` keeps its session (`-c`), so messages
    /// published while it is away wait for it on the broker.
    public init(
        broker: MosquittoBroker, topics: [String], format: String = "%t %p", clientID: String = "sub-\(UUID().uuidString.prefix(8))",
        persistent: Bool = false, extra: [String] = []
    ) throws {
        outputPath = broker.folder.file("sub-\(UUID().uuidString).txt")
        var arguments = ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-F", format] + extra
        arguments += ["-i", clientID] + (persistent ? ["-c"] : [])
        for topic in topics { arguments += ["-t", topic] }
        process = try Subprocess(MosquittoBroker.subscriber, arguments, outputPath: outputPath)
        // Subscribed once the broker logs its SUBACK to this client.
        try waitBlockingUntil("mosquitto_sub \(clientID) to subscribe", within: .seconds(5)) {
            broker.log.contains("Sending SUBACK to \(clientID)")
        }
    }

    /// The lines so far.
    public var lines: [String] { process.output.split(separator: "\n").map(String.init) }

    /// Waits (bounded) until `condition` holds for the lines.
    public func wait(_ what: String, within limit: Duration = .seconds(10), until condition: ([String]) -> Bool) throws {
        try waitBlockingUntil("\(what); got: \(lines.suffix(5))", within: limit) { condition(lines) }
    }

    public func stop() {
        process.stop(SIGTERM)
    }

    deinit {
        process.send(SIGKILL)
        _ = process.wait()
    }
}

public struct BrokerError: Error, CustomStringConvertible {
    public let description: String
}
