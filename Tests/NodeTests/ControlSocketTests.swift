import Foundation
import HAL
import Node
import Recorder
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The control socket against clients that misbehave: they go away early, hold connections
/// open, drip bytes, send too much, or ask for absurd things.
@Suite(.serialized) struct ControlSocketTests {
    /// A server at a fresh path answering status requests with a status of some size.
    static func server(in directory: TemporaryDirectory) throws -> ControlServer {
        var status = RecorderStatus()
        status.recentErrors = (0..<200).map { "error \($0): " + String(repeating: "x", count: 200) }
        return try ControlServer(path: directory.file("vigil.sock")) { [status] request in
            ControlResponse(ok: true, status: request.command == .status ? status : nil)
        }
    }

    /// A raw connection to `path`.
    static func connect(_ path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw HALError.system(errno, operation: "connect", target: path) }
        return descriptor
    }

    static func send(_ descriptor: Int32, _ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    @Test func clientsThatLeaveBeforeTheAnswerCostNothing() throws {
        let directory = try TemporaryDirectory("socket")
        defer { directory.remove() }
        let server = try Self.server(in: directory)
        defer { server.stop() }
        // Each asks for the (40 KB) status and closes at once: writing the answer meets a closed
        // socket, which must be an error for that client, not SIGPIPE for the process.
        for _ in 0..<50 {
            let descriptor = try Self.connect(server.path)
            Self.send(descriptor, #"{"command":"status"}"# + "\n")
            close(descriptor)
        }
        let response = try ControlClient.send(ControlRequest(command: .status), to: server.path, timeout: .seconds(1))
        #expect(response.ok && response.status?.recentErrors.count == 200)
    }

    @Test func statusAnswersWithinASecondWhileFiftyClientsHoldIdleConnectionsAndOneDrips() throws {
        let directory = try TemporaryDirectory("socket")
        defer { directory.remove() }
        let server = try Self.server(in: directory)
        defer { server.stop() }
        let idle = try (0..<50).map { _ in try Self.connect(server.path) }
        defer { idle.forEach { close($0) } }
        let dripping = try Self.connect(server.path)
        defer { close(dripping) }
        Self.send(dripping, "{")
        for _ in 0..<5 {
            let started = ContinuousClock.now
            let response = try ControlClient.send(ControlRequest(command: .status), to: server.path, timeout: .seconds(1))
            #expect(response.ok)
            #expect(ContinuousClock.now - started < .seconds(1))
            Self.send(dripping, "\"")
        }
        // More clients than places: the longest waiting give way, the newest is served.
        let crowd = try (0..<(ControlServer.maximumConnections + 10)).map { _ in try Self.connect(server.path) }
        defer { crowd.forEach { close($0) } }
        #expect(try ControlClient.send(ControlRequest(command: .status), to: server.path, timeout: .seconds(1)).ok)
    }

    @Test func oversizedAndMalformedRequestsGetAnErrorAnswer() throws {
        let directory = try TemporaryDirectory("socket")
        defer { directory.remove() }
        let server = try Self.server(in: directory)
        defer { server.stop() }
        for request in [String(repeating: "a", count: ControlServer.maximumRequestBytes + 10), "not json\n", "\u{0}\u{1}\u{FF}\n", "\n"] {
            let descriptor = try Self.connect(server.path)
            defer { close(descriptor) }
            Self.send(descriptor, request)
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            let answer = String(decoding: buffer[..<max(0, count)], as: UTF8.self)
            #expect(answer.contains(#""ok":false"#) && answer.contains("bad request"), "\(request.prefix(20)): \(answer)")
        }
    }

    @Test func theSocketAndStorageRootAreOwnerAndGroupOnlyWhateverTheUmask() async throws {
        var rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        rig.configuration.storage = rig.storage.file("root")
        let previous = umask(0)
        defer { umask(previous) }
        let node = try rig.makeNode()
        var info = stat()
        #expect(stat(node.layout.root, &info) == 0 && info.st_mode & 0o777 == 0o750)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            var waited = 0
            while !ControlClient.isServing(node.layout.socketPath) {
                waited += 1
                try #require(waited < 1000, "the node did not serve its control socket within 10 s")
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(stat(node.layout.socketPath, &info) == 0 && info.st_mode & 0o777 == 0o660)
            // A trigger of 1e19 seconds (which once trapped converting to milliseconds) is refused.
            let absurd = try ControlClient.send(ControlRequest(command: .trigger, seconds: 1e19), to: node.layout.socketPath)
            #expect(!absurd.ok && (absurd.error ?? "").contains("'seconds' must be from 0 to 86400"))
            let negative = try ControlClient.send(ControlRequest(command: .trigger, seconds: -1), to: node.layout.socketPath)
            #expect(!negative.ok)
            let unknown = try ControlClient.send(ControlRequest(command: .trigger, camera: "gate"), to: node.layout.socketPath)
            #expect(!unknown.ok && (unknown.error ?? "").contains("no camera named 'gate'"))
            node.stop()
            try await group.waitForAll()
        }
    }
}
