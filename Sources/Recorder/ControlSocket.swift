import Foundation
import HAL
import Synchronization
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// The recorder's local control socket: a Unix stream socket at the storage root
/// (`vigil.sock`) answering one ``ControlRequest`` per connection with one ``ControlResponse``.
///
/// It serves from a thread of its own, so answers never wait on the recording pipeline. Only
/// one recorder may serve a storage root: starting a second one fails while the first answers;
/// a socket file left by a killed recorder is replaced.
public final class ControlServer: Sendable {
    public let path: String
    private let listener: Int32
    private let handler: @Sendable (ControlRequest) -> ControlResponse
    private let stopped = Atomic<Bool>(false)

    /// Binds and listens at `path`; `handler` answers each request (on the server's thread).
    public init(path: String, handler: @escaping @Sendable (ControlRequest) -> ControlResponse) throws(HALError) {
        if ControlClient.isServing(path) {
            throw HALError(.busy, operation: "bind", target: path, message: "a recorder is already running on this storage root")
        }
        unlink(path)
        var address = try socketAddress(path)
        let listener = try systemCall("socket", target: path) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            try withUnsafePointer(to: &address) { pointer throws(HALError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(HALError) in
                    _ = try systemCall("bind", target: path) { bind(listener, address, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
            try systemCall("listen", target: path) { listen(listener, 16) }
        } catch {
            close(listener)
            throw error
        }
        self.path = path
        self.listener = listener
        self.handler = handler
        let thread = Thread { [self] in serve() }
        thread.name = "vigil-control"
        thread.start()
    }

    /// Stops serving and removes the socket file.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        unlink(path)
    }

    deinit { stop() }

    private func serve() {
        while !stopped.load(ordering: .relaxed) {
            let connection: Int32
            do {
                connection = try systemCall("accept", target: path) { accept(listener, nil, nil) }
            } catch where error.errno == ECONNABORTED {
                continue
            } catch {
                break  // stop() shut the listener down
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            answer(connection)
            close(connection)
        }
        close(listener)
    }

    private func answer(_ connection: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let response: ControlResponse
        do {
            let line = try readLine(connection, target: path)
            let request = try ControlResponse.decoder.decode(ControlRequest.self, from: Data(line))
            response = handler(request)
        } catch {
            response = ControlResponse(ok: false, error: "bad request: \(error)")
        }
        var bytes = Array((try? ControlResponse.encoder.encode(response)) ?? Data("{\"ok\":false}".utf8))
        bytes.append(UInt8(ascii: "\n"))
        try? writeAll(connection, bytes, target: path)
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
        var bytes = Array((try? ControlResponse.encoder.encode(request)) ?? Data())
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

private func writeAll(_ descriptor: Int32, _ bytes: [UInt8], target: String) throws(HALError) {
    var written = 0
    while written < bytes.count {
        written += try systemCall("write", target: target) {
            bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + written }, $0.count - written) }
        }
    }
}
