import CPosix
import Foundation
import HAL
import SystemCalls
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The node's local control socket: a Unix stream socket at the storage root (`vigil.sock`)
/// answering one ``ControlRequest`` per connection with one ``ControlResponse``.
///
/// It serves from a thread of its own, so answers never wait on the recording pipeline, and it
/// serves up to ``maximumConnections`` clients at once: each gets ``connectionDeadline`` in all
/// to send its request (at most ``maximumRequestBytes``) and read the answer, and a client
/// that arrives when all places are taken takes the place of the one that has waited longest.
/// The socket is created owner-and-group only (0660) whatever the umask, and a client must run
/// as the node's user, its group, or root (SO_PEERCRED). A client that goes away early costs
/// nothing (no SIGPIPE: every write is `MSG_NOSIGNAL`).
///
/// Only one node may serve a storage root: starting a second one fails while the first
/// answers; a socket file left by a killed node is replaced.
public final class ControlServer: Sendable {
    public let path: String
    private let listener: Int32
    /// Written to by ``stop()`` to wake the serving thread.
    private let wakeUp: (read: Int32, write: Int32)
    private let handler: @Sendable (ControlRequest) -> ControlResponse
    private let stopped = Atomic<Bool>(false)
    private let finished = Mutex<Bool>(false)

    /// How many clients are served at once.
    public static let maximumConnections = 64
    /// The longest a request may be.
    public static let maximumRequestBytes = 64 * 1024
    /// How long a client has, from connecting, to send its request and read the answer.
    public static let connectionDeadline = Duration.seconds(2)

    /// Binds and listens at `path`; `handler` answers each request (on the server's thread, so
    /// it must not block).
    public init(path: String, handler: @escaping @Sendable (ControlRequest) -> ControlResponse) throws(HALError) {
        if ControlClient.isServing(path) {
            throw HALError(.busy, operation: "bind", target: path, message: "a recorder is already running on this storage root")
        }
        unlink(path)
        var address = try socketAddress(path)
        let listener = try systemCall("socket", target: path) {
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        }
        var pipeEnds: [Int32] = [-1, -1]
        do {
            try withUnsafePointer(to: &address) { pointer throws(HALError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(HALError) in
                    _ = try systemCall("bind", target: path) { bind(listener, address, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
            // Before listen(): until then nobody can connect, so the umask's mode never serves.
            try systemCall("chmod", target: path) { chmod(path, 0o660) }
            try systemCall("listen", target: path) { listen(listener, 64) }
            try systemCall("pipe", target: path) { pipe(&pipeEnds) }
            for end in pipeEnds { try Self.makeNonBlocking(end) }
        } catch {
            close(listener)
            unlink(path)
            throw error
        }
        self.path = path
        self.listener = listener
        wakeUp = (pipeEnds[0], pipeEnds[1])
        self.handler = handler
        let thread = Thread { [self] in serve() }
        thread.name = "vigil-control"
        thread.start()
    }

    /// Stops serving and removes the socket file.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        unlink(path)
        var byte: UInt8 = 1
        _ = write(wakeUp.write, &byte, 1)
    }

    deinit {
        stop()
    }

    /// One client being served.
    private struct Connection {
        let descriptor: Int32
        let deadline: ContinuousClock.Instant
        var request: [UInt8] = []
        /// The answer, once the request is complete, and how much of it has been sent.
        var answer: [UInt8]?
        var sent = 0
    }

    private func serve() {
        var connections: [Connection] = []
        while !stopped.load(ordering: .relaxed) {
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeUp.read, events: Int16(POLLIN), revents: 0)]
            for connection in connections {
                descriptors.append(pollfd(fd: connection.descriptor, events: Int16(connection.answer == nil ? POLLIN : POLLOUT), revents: 0))
            }
            let now = ContinuousClock.now
            let nearest = connections.map(\.deadline).min().map { max(.zero, now.duration(to: $0)) }
            let timeout = nearest.map { Int32(clamping: $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000 + 1) } ?? -1
            do {
                try systemCall("poll", target: path) { poll(&descriptors, nfds_t(descriptors.count), timeout) }
            } catch {
                // poll fails only on a bad argument or no memory: wait a little and go on.
                usleep(10_000)
                continue
            }
            if descriptors[1].revents != 0 { break }
            var keep: [Connection] = []
            for (index, var connection) in connections.enumerated() {
                let events = descriptors[index + 2].revents
                if events != 0, advance(&connection, events: events) {
                    keep.append(connection)
                } else if events == 0, ContinuousClock.now < connection.deadline {
                    keep.append(connection)
                } else {
                    close(connection.descriptor)
                }
            }
            connections = keep
            if descriptors[0].revents != 0 { acceptAll(into: &connections) }
        }
        for connection in connections { close(connection.descriptor) }
        close(listener)
        close(wakeUp.read)
        close(wakeUp.write)
    }

    /// Accepts every waiting client; beyond the cap, the client waiting longest gives way.
    private func acceptAll(into connections: inout [Connection]) {
        while true {
            let descriptor = accept(listener, nil, nil)
            guard descriptor >= 0 else { return }  // EAGAIN: none left; other failures concern that client only
            do {
                try Self.makeNonBlocking(descriptor)
            } catch {
                close(descriptor)
                continue
            }
            guard Self.isAllowed(descriptor) else {
                var refusal = Self.encode(ControlResponse(ok: false, error: "permission denied: run as the node's user or group, or root"))
                _ = send(descriptor, &refusal, refusal.count, Int32(MSG_NOSIGNAL))
                close(descriptor)
                continue
            }
            if connections.count >= Self.maximumConnections,
                let oldest = connections.indices.min(by: { connections[$0].deadline < connections[$1].deadline })
            {
                close(connections[oldest].descriptor)
                connections.remove(at: oldest)
            }
            connections.append(Connection(descriptor: descriptor, deadline: .now + Self.connectionDeadline))
        }
    }

    /// Reads what the client sent or writes what it is owed; false when the connection is done.
    private func advance(_ connection: inout Connection, events: Int16) -> Bool {
        if connection.answer == nil {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 { return errno == EAGAIN || errno == EINTR }
            let chunk = buffer[..<count]
            if let newline = chunk.firstIndex(of: UInt8(ascii: "\n")) {
                connection.request += chunk[..<newline]
            } else {
                connection.request += chunk
                if count > 0, connection.request.count <= Self.maximumRequestBytes { return true }
            }
            connection.answer = Self.encode(answer(connection.request))
        }
        guard let answer = connection.answer else { return false }
        let count = answer.withUnsafeBytes {
            send(connection.descriptor, $0.baseAddress! + connection.sent, $0.count - connection.sent, Int32(MSG_NOSIGNAL))
        }
        if count < 0 { return errno == EAGAIN || errno == EINTR }
        connection.sent += count
        return connection.sent < answer.count
    }

    private func answer(_ request: [UInt8]) -> ControlResponse {
        guard request.count <= Self.maximumRequestBytes else {
            return ControlResponse(ok: false, error: "bad request: longer than \(Self.maximumRequestBytes) bytes")
        }
        do {
            return handler(try ControlResponse.decoder.decode(ControlRequest.self, from: Data(request)))
        } catch {
            return ControlResponse(ok: false, error: "bad request: \(error)")
        }
    }

    private static func encode(_ response: ControlResponse) -> [UInt8] {
        var bytes: [UInt8]
        do {
            bytes = Array(try ControlResponse.encoder.encode(response))
        } catch {
            bytes = Array(#"{"ok":false,"error":"the answer could not be encoded"}"#.utf8)
        }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Whether the peer runs as this process's user, its group, or root.
    private static func isAllowed(_ descriptor: Int32) -> Bool {
        var peer = vigil_peer_credentials()
        guard vigil_get_peer_credentials(descriptor, &peer) == 0 else { return false }
        return peer.uid == 0 || peer.uid == geteuid() || peer.gid == getegid()
    }

    /// Close-on-exec and non-blocking.
    private static func makeNonBlocking(_ descriptor: Int32) throws(HALError) {
        try systemCall("fcntl", target: "F_SETFD") { fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let flags = try systemCall("fcntl", target: "F_GETFL") { fcntl(descriptor, F_GETFL) }
        try systemCall("fcntl", target: "F_SETFL") { fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
    }
}

/// Talks to a running recorder's ``ControlServer``.
public enum ControlClient {
    /// Sends `request` to the recorder at `path` and returns its answer; throws a
    /// ``HALError`` with kind `.notFound` when no recorder listens there.
    public static func send(_ request: ControlRequest, to path: String, timeout: Duration = .seconds(5)) throws(HALError) -> ControlResponse {
        let connection = try connect(path)
        defer { close(connection) }
        let seconds = timeout.components.seconds
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8]
        do {
            bytes = Array(try ControlResponse.encoder.encode(request))
        } catch {
            throw HALError(.invalidArgument, operation: "encode", target: path, message: "the request cannot be encoded: \(error)")
        }
        bytes.append(UInt8(ascii: "\n"))
        try writeAll(connection, bytes, target: path)
        let line = try readLine(connection, target: path)
        do {
            return try ControlResponse.decoder.decode(ControlResponse.self, from: Data(line))
        } catch {
            throw HALError(.io, operation: "read", target: path, message: "the recorder's answer is not valid: \(error)")
        }
    }

    /// Whether a recorder answers at `path`.
    public static func isServing(_ path: String) -> Bool {
        guard let connection = try? connect(path) else { return false }
        close(connection)
        return true
    }

    private static func connect(_ path: String) throws(HALError) -> Int32 {
        var address = try socketAddress(path)
        let connection = try systemCall("socket", target: path) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            try withUnsafePointer(to: &address) { pointer throws(HALError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(HALError) in
                    _ = try systemCall("connect", target: path) { Glibc.connect(connection, address, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
        } catch {
            close(connection)
            if error.errno == ENOENT || error.errno == ECONNREFUSED {
                throw HALError(.notFound, operation: "connect", target: path, message: "no recorder is running on this storage root")
            }
            throw error
        }
        return connection
    }
}

private func socketAddress(_ path: String) throws(HALError) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else {
        throw HALError(
            .invalidArgument, operation: "bind", target: path,
            message: "the control socket path is \(bytes.count) bytes long; Unix sockets allow \(capacity - 1): choose a shorter storage root")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        for (index, byte) in bytes.enumerated() { buffer[index] = byte }
    }
    return address
}

/// Reads up to a newline or the end of the stream (at most 1 MiB).
private func readLine(_ descriptor: Int32, target: String) throws(HALError) -> [UInt8] {
    var line: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while line.count < 1 << 20 {
        let count = try systemCall("read", target: target) {
            buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        }
        if count == 0 { break }
        if let newline = buffer[..<count].firstIndex(of: UInt8(ascii: "\n")) {
            line += buffer[..<newline]
            break
        }
        line += buffer[..<count]
    }
    return line
}

/// Writes every byte; a peer that has gone away is an error (EPIPE), never a SIGPIPE.
private func writeAll(_ descriptor: Int32, _ bytes: [UInt8], target: String) throws(HALError) {
    var written = 0
    while written < bytes.count {
        written += try systemCall("send", target: target) {
            bytes.withUnsafeBytes { send(descriptor, $0.baseAddress.map { $0 + written }, $0.count - written, Int32(MSG_NOSIGNAL)) }
        }
    }
}
