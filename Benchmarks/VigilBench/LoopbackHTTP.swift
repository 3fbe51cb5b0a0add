import Foundation
import HAL
import Synchronization
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// Plain HTTP/1.0 over a loopback TCP socket, for the http section: one GET, and a live MJPEG
/// viewer on a thread of its own.
enum LoopbackHTTP {
    /// Connects to 127.0.0.1:`port`, with `seconds` as the send and receive timeout.
    static func connect(port: Int, seconds: Int = 30) throws -> Int32 {
        let descriptor = try systemCall("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        do {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
                try systemCall("setsockopt") { setsockopt(descriptor, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size)) }
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            guard let networkPort = UInt16(exactly: port) else { throw HALError(.invalidArgument, operation: "connect", target: "port \(port)") }
            address.sin_port = networkPort.bigEndian
            _ = try withUnsafePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    try systemCall("connect", target: "127.0.0.1:\(port)") { Glibc.connect(descriptor, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            return descriptor
        } catch {
            close(descriptor)
            throw error
        }
    }

    static func send(_ text: String, to descriptor: Int32) throws {
        try send(Array(text.utf8), to: descriptor)
    }

    /// Sends all of `bytes` (blocking; the socket's send timeout applies).
    static func send(_ bytes: [UInt8], to descriptor: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            offset += try bytes.withUnsafeBytes { raw in
                try systemCall("send") { Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    /// Reads what comes next (at most 64 KB); an empty array at the end of the stream.
    static func receive(_ descriptor: Int32) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = try buffer.withUnsafeMutableBytes { raw in try systemCall("recv") { recv(descriptor, raw.baseAddress, raw.count, 0) } }
        return Array(buffer[0..<count])
    }

    /// GET `path`: the body of a 200 answer (to its Content-Length, or to the end of the
    /// connection); throws on another status.
    static func get(port: Int, path: String) throws -> Data {
        let descriptor = try connect(port: port, seconds: 10)
        defer { close(descriptor) }
        try send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n", to: descriptor)
        var response: [UInt8] = []
        var expected: Int?
        while expected.map({ response.count < $0 }) ?? true {
            let piece = try receive(descriptor)
            if piece.isEmpty { break }
            response += piece
            guard response.count < 16 << 20 else { throw ChildProcess.Failure(description: "GET \(path): more than 16 MB") }
            if expected == nil, let end = headEnd(response) {
                let head = String(decoding: response[0..<end], as: UTF8.self)
                if let line = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                    let length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)), length >= 0 {
                    expected = end + length
                }
            }
        }
        guard let end = headEnd(response) else { throw ChildProcess.Failure(description: "GET \(path): no whole answer") }
        let statusLine = String(decoding: response.prefix { $0 != 13 }, as: UTF8.self)
        guard statusLine.split(separator: " ").dropFirst().first == "200" else { throw ChildProcess.Failure(description: "GET \(path): \(statusLine)") }
        return Data(response[end...])
    }

    /// The index just past the head's blank line, if the head has ended.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}

/// One live viewer of an MJPEG stream on a thread of its own: reads the stream, counting whole parts.
final class MJPEGViewer: Sendable {
    private let state = Mutex((frames: 0, error: String?.none, stopping: false, finished: false))

    init(port: Int, path: String) {
        Thread { [self] in
            do {
                try read(port: port, path: path)
            } catch {
                state.withLock { if !$0.stopping { $0.error = "\(error)" } }
            }
            state.withLock { $0.finished = true }
        }.start()
    }

    var frames: Int { state.withLock { $0.frames } }
    var error: String? { state.withLock { $0.error } }

    /// Stops reading (within the socket's 2 s receive timeout).
    func stop() {
        state.withLock { $0.stopping = true }
        let deadline = ContinuousClock.now + .seconds(10)
        while !state.withLock({ $0.finished }) && ContinuousClock.now < deadline { usleep(10_000) }
    }

    private func read(port: Int, path: String) throws {
        let descriptor = try LoopbackHTTP.connect(port: port, seconds: 2)
        defer { close(descriptor) }
        try LoopbackHTTP.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n", to: descriptor)
        var data: [UInt8] = []
        func more() throws -> Bool {
            while true {
                if state.withLock({ $0.stopping }) { return false }
                do {
                    let piece = try LoopbackHTTP.receive(descriptor)
                    if piece.isEmpty { return false }
                    data += piece
                    return true
                } catch let error as HALError where error.errno == EAGAIN {
                    continue  // the receive timeout: look at `stopping` again
                }
            }
        }
        while LoopbackHTTP.headEnd(data) == nil { guard try more() else { return } }
        guard let end = LoopbackHTTP.headEnd(data) else { return }
        let statusLine = String(decoding: data.prefix { $0 != 13 }, as: UTF8.self)
        guard statusLine.contains(" 200 ") || statusLine.hasSuffix(" 200") else { throw ChildProcess.Failure(description: statusLine) }
        data.removeFirst(end)
        while true {
            // A part: --boundary, headers, Content-Length bytes, CRLF.
            while LoopbackHTTP.headEnd(data) == nil { guard try more() else { return } }
            guard let headers = LoopbackHTTP.headEnd(data) else { return }
            let head = String(decoding: data[0..<headers], as: UTF8.self)
            guard let line = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                let length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)), (0...(64 << 20)).contains(length)
            else { throw ChildProcess.Failure(description: "a part without a usable Content-Length") }
            data.removeFirst(headers)
            while data.count < length + 2 { guard try more() else { return } }
            data.removeFirst(length + 2)
            state.withLock { $0.frames += 1 }
        }
    }
}
