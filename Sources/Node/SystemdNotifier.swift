import Foundation
import HAL
import SystemCalls
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd how the service is doing (the `sd_notify` protocol, without libsystemd): one
/// datagram of `KEY=VALUE` lines on the AF_UNIX socket named by `NOTIFY_SOCKET`.
///
/// A path names a socket in the file system; a leading `@` names one in the abstract namespace.
/// With `Type=notify` systemd waits for ``ready(status:)`` before it calls the service started,
/// and with `WatchdogSec=` it restarts the service unless ``watchdog()`` comes at least every
/// ``watchdogInterval`` (ping at half of it).
public struct SystemdNotifier: Sendable {
    /// `NOTIFY_SOCKET` as given.
    public let socket: String
    /// How often systemd expects ``watchdog()`` (`WATCHDOG_USEC`), when it asks this process
    /// (`WATCHDOG_PID` unset or ours); nil when it does not.
    public let watchdogInterval: Duration?

    /// The notifier the environment asks for; nil when `NOTIFY_SOCKET` is unset or empty (not
    /// started by systemd with `Type=notify`).
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        guard let socket = environment["NOTIFY_SOCKET"], !socket.isEmpty else { return nil }
        self.socket = socket
        watchdogInterval = Self.watchdogInterval(environment: environment, pid: pid)
    }

    /// `WATCHDOG_USEC` as a duration, when it is a positive number and `WATCHDOG_PID` is unset or `pid`.
    static func watchdogInterval(environment: [String: String], pid: Int32) -> Duration? {
        // At most the longest duration Vigil takes from outside: a larger figure is no watchdog.
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0,
            Duration.microseconds(microseconds) <= Duration.humanReadableLimit
        else { return nil }
        if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, Int32(owner) != pid { return nil }
        return .microseconds(microseconds)
    }

    /// `READY=1`: start-up is finished; with a status line when given.
    public func ready(status: String? = nil) throws(HALError) {
        try send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// `STATUS=...`: one line for `systemctl status` (line breaks become spaces).
    public func status(_ text: String) throws(HALError) {
        try send(["STATUS=" + text.replacingOccurrences(of: "\n", with: " ")])
    }

    /// `WATCHDOG=1`: still alive.
    public func watchdog() throws(HALError) { try send(["WATCHDOG=1"]) }

    /// `STOPPING=1`: shutting down (finishing the open movie).
    public func stopping() throws(HALError) { try send(["STOPPING=1"]) }

    /// Sends the assignments as one datagram, without waiting: a full queue (systemd not
    /// reading) fails with a `.busy` error rather than holding the recorder up.
    func send(_ assignments: [String]) throws(HALError) {
        var address = try Self.address(socket)
        let length = socklen_t((MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2) + socket.utf8.count)
        let descriptor = try systemCall("socket", target: socket) { Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        defer { close(descriptor) }
        let message = Array((assignments.joined(separator: "\n") + "\n").utf8)
        let sent = try systemCall("sendto", target: socket) {
            message.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                        sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), generic, length)
                    }
                }
            }
        }
        guard sent == message.count else {
            throw HALError(.io, operation: "sendto", target: socket, message: "sent \(sent) of \(message.count) bytes")
        }
    }

    /// The socket's address: the path, or NUL and the name for `@name`, in `sun_path`.
    static func address(_ socket: String) throws(HALError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(socket.utf8)
        guard bytes.first == UInt8(ascii: "/") || bytes.first == UInt8(ascii: "@") else {
            throw HALError(
                .invalidArgument, operation: "sd_notify", target: socket,
                message: "NOTIFY_SOCKET must be an absolute path or @name of an abstract socket")
        }
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A path needs room for its terminating NUL; an abstract name does not.
        guard bytes.count < capacity || (bytes[0] == 0 && bytes.count <= capacity) else {
            throw HALError(
                .invalidArgument, operation: "sd_notify", target: socket,
                message: "the socket address is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: bytes)
        }
        return address
    }
}
