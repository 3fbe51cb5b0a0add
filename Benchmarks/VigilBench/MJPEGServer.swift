import Foundation
import HAL
import Scenes
import Synchronization
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP server that streams a scene's frames as MJPEG (multipart/x-mixed-replace),
/// to one client at a time (the next when one hangs up), on a thread of its own: the camera `motion` reads in the peer
/// section. It sends a frame only when allowed one more (``allow(upTo:)``), so that the client
/// gets frames at the rate the caller sets.
final class MJPEGServer: Sendable {
    /// The port it listens on, on 127.0.0.1.
    let port: Int
    private let listener: Int32
    private let scene: any Scene
    private let width: Int
    private let height: Int
    private let quality: Int
    private let state = Mutex(State())
    private let started = ContinuousClock.now

    private struct State {
        var allowed = 0
        var sent = 0
        var bytes = 0
        var connections = 0
        var stopping = false
        var finished = false
        var lastError: String?
    }

    /// Frames sent so far, their bytes, and how many connections were served.
    var figures: (sent: Int, bytes: Int, connections: Int, lastError: String?) {
        state.withLock { ($0.sent, $0.bytes, $0.connections, $0.lastError) }
    }

    /// Binds 127.0.0.1 on a free port and starts serving.
    init(scene: any Scene, width: Int, height: Int, quality: Int) throws {
        self.scene = scene
        self.width = width
        self.height = height
        self.quality = quality
        let descriptor = try systemCall("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        listener = descriptor
        do {
            var one: Int32 = 1
            try systemCall("setsockopt", target: "SO_REUSEADDR") {
                setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            port = try bindLoopback(descriptor)
            try systemCall("listen") { listen(descriptor, 4) }
        } catch {
            close(descriptor)
            throw error
        }
        Thread { [self] in serve() }.start()
    }

    /// Lets the client have frames until `count` have been sent in all.
    func allow(upTo count: Int) {
        state.withLock { $0.allowed = max($0.allowed, count) }
    }

    /// Stops serving and closes the listening socket (waits up to 5 s for the thread).
    func stop() {
        state.withLock { $0.stopping = true }
        let deadline = ContinuousClock.now + .seconds(5)
        while !state.withLock({ $0.finished }) && ContinuousClock.now < deadline { usleep(10_000) }
        close(listener)
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private func serve() {
        defer { state.withLock { $0.finished = true } }
        while !stopping {
            var request = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&request, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            state.withLock { $0.connections += 1 }
            do {
                try stream(to: client)
            } catch {
                state.withLock { $0.lastError = "\(error)" }
            }
            close(client)
        }
    }

    private func stream(to client: Int32) throws {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        try systemCall("setsockopt", target: "SO_SNDTIMEO") {
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        try readRequestHead(client)
        // A new client gets a frame at once: its reader may give up on a stream with none.
        state.withLock { $0.allowed = max($0.allowed, $0.sent + 1) }
        try LoopbackHTTP.send(Array("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=vigilframe\r\nCache-Control: no-cache\r\n\r\n".utf8), to: client)
        while !stopping {
            let due = state.withLock { $0.sent < $0.allowed }
            guard due else {
                // Meanwhile notice a client that hung up (motion opens the stream once to probe
                // it, then again to read it), so that the next one is served at once.
                var hangup = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                if try systemCall("poll", { poll(&hangup, 1, 20) }) > 0, try LoopbackHTTP.receive(client).isEmpty { return }
                continue
            }
            let elapsed = ContinuousClock.now - started
            let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            let jpeg = try scene.frame(at: MonotonicInstant(nanoseconds: max(0, nanoseconds)), width: width, height: height, quality: quality).jpeg
            let head = Array("--vigilframe\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\r\n".utf8)
            try LoopbackHTTP.send(head + jpeg + Array("\r\n".utf8), to: client)
            state.withLock {
                $0.sent += 1
                $0.bytes += jpeg.count
            }
        }
    }

    /// Reads the client's request up to its blank line (at most 16 KB, 5 s); its content does not matter.
    private func readRequestHead(_ client: Int32) throws {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while LoopbackHTTP.headEnd(received) == nil {
            guard received.count < 16_384, ContinuousClock.now < deadline else {
                throw ChildProcess.Failure(description: "no whole HTTP request from the client")
            }
            var ready = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard try systemCall("poll", { poll(&ready, 1, 200) }) > 0 else { continue }
            let piece = try LoopbackHTTP.receive(client)
            guard !piece.isEmpty else { throw ChildProcess.Failure(description: "the client closed before its request ended") }
            received += piece
        }
    }
}
