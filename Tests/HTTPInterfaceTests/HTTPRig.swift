import Foundation
import HAL
import HTTPInterface
import Logging
import Node
import Synchronization
import TestSupport
import Testing

@testable import VigilCLI

/// A node on the simulated board, paced a few times faster than the wall clock, with its HTTP
/// interface on 127.0.0.1 and a free port: what the tests talk to with real clients.
final class HTTPRig: Sendable {
    /// The storage root (removed by ``stop()``).
    let storagePath: String
    let node: CameraNode
    let server: NodeHTTPServer
    let port: Int
    private let nodeTask: Task<Void, any Error>
    private let serverTask: Task<Void, any Error>

    var base: String { "\(server.isSecure ? "https" : "http")://127.0.0.1:\(port)" }

    func file(_ name: String) -> String { storagePath + "/" + name }

    /// Starts the node and the server; returns once the camera has delivered a frame.
    static func start(
        speed: Double = 4, http: NodeConfiguration.HTTP = NodeConfiguration.HTTP(), extraCameras: Int = 0,
        configure: (inout NodeConfiguration) -> Void = { _ in }
    ) async throws -> HTTPRig {
        let storage = try TemporaryDirectory("http")
        var configuration = NodeConfiguration()
        configuration.storage = storage.path
        configuration.cameras[0].name = "yard"
        configuration.cameras[0].width = 160
        configuration.cameras[0].height = 120
        configuration.triggers.motion.enabled = false
        configuration.triggers.cameraMotion = false
        configuration.triggers.pir = false
        var settings = http
        settings.listen = "127.0.0.1:0"
        configuration.http = settings
        configure(&configuration)
        var logger = Logger(label: "test.http")
        logger.logLevel = .critical
        var options = CameraNode.Options()
        options.systemd = false
        options.controlSocket = false
        let node = try CameraNode(
            configuration: configuration, hardware: try NodeHardware(board: "sim", speed: speed, extraSimulatedCameras: extraCameras), logger: logger, options: options)
        // The time syntax `vigil record` gives the server: `vigil events list --since`'s.
        var serverOptions = NodeHTTPServer.Options()
        serverOptions.parseTime = { SinceArgument.parse($0, now: $1) }
        serverOptions.version = "test"
        let server: NodeHTTPServer
        do {
            server = try NodeHTTPServer(node: node, settings: configuration.http, logger: logger, options: serverOptions)
        } catch {
            storage.remove()
            throw error
        }
        let bound = Mutex<Int?>(nil)
        let serverTask = Task { try await server.run { port in bound.withLock { $0 = port } } }
        let nodeTask = Task { try await node.run() }
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if bound.withLock({ $0 }) != nil, (try? node.latestFrame(camera: "yard")) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let port = bound.withLock({ $0 }), try node.latestFrame(camera: "yard") != nil else {
            node.stop()
            serverTask.cancel()
            storage.remove()
            throw RigError("the node or its server did not start within 120 s")
        }
        return HTTPRig(storagePath: storage.path, node: node, server: server, port: port, nodeTask: nodeTask, serverTask: serverTask)
    }

    private init(storagePath: String, node: CameraNode, server: NodeHTTPServer, port: Int, nodeTask: Task<Void, any Error>, serverTask: Task<Void, any Error>) {
        self.storagePath = storagePath
        self.node = node
        self.server = server
        self.port = port
        self.nodeTask = nodeTask
        self.serverTask = serverTask
    }

    /// Stops the node (open events are finished), then the server; removes the storage.
    func stop() async {
        node.stop()
        _ = await nodeTask.result
        serverTask.cancel()
        _ = await serverTask.result
        try? FileManager.default.removeItem(atPath: storagePath)
    }

    /// Stops only the node; the server keeps serving.
    func stopNode() async throws {
        node.stop()
        try await nodeTask.value
    }
}

struct RigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One HTTP exchange through `curl`, run off the cooperative threads.
struct HTTPExchange: Sendable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var curlStatus: Int32

    var text: String { String(decoding: body, as: UTF8.self) }
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(body)) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

enum Curl {
    static let path = "/usr/bin/curl"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `curl` with `arguments` before the URL; `maxTime` cuts a stream off (curl then exits 28).
    static func request(
        _ url: String, method: String = "GET", headers: [String: String] = [:], body: String? = nil, maxTime: Double = 20,
        extra: [String] = []
    ) async throws -> HTTPExchange {
        let scratch = NSTemporaryDirectory() + "vigil-curl-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: scratch + ".body")
            try? FileManager.default.removeItem(atPath: scratch + ".head")
        }
        var arguments = ["-s", "-g", "-X", method, "--max-time", String(maxTime), "-D", scratch + ".head", "-o", scratch + ".body"]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        if let body { arguments += ["--data-binary", body, "-H", "Content-Type: application/json"] }
        arguments += extra + ["--path-as-is", url]
        let result = try await run(path, arguments)
        let head = (try? String(contentsOfFile: scratch + ".head", encoding: .utf8)) ?? ""
        var status = 0
        var fields: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix("HTTP/") {
                status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
                fields = [:]
            } else if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let body = FileManager.default.contents(atPath: scratch + ".body").map { [UInt8]($0) } ?? []
        return HTTPExchange(status: status, headers: fields, body: body, curlStatus: result.status)
    }

    /// Runs a tool to completion on a thread of its own (never blocking the cooperative pool).
    static func run(_ executable: String, _ arguments: [String]) async throws -> Tool.Result {
        try await onThreadOfItsOwn { try Tool.run(executable, arguments) }
    }
}

/// The parts of a `multipart/x-mixed-replace` body, each checked against its headers.
enum MultipartParser {
    struct Part {
        var headers: [String: String]
        var body: [UInt8]
    }

    enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        var description: String { if case .malformed(let text) = self { text } else { "" } }
    }

    /// Whole parts of `data` (a cut-off last part is left out); throws on anything malformed.
    static func parts(_ data: [UInt8], boundary: String) throws -> [Part] {
        let delimiter = Array("--\(boundary)\r\n".utf8)
        var parts: [Part] = []
        var index = 0
        while index < data.count {
            guard data.count - index >= delimiter.count else { break }
            guard Array(data[index..<index + delimiter.count]) == delimiter else {
                throw Failure.malformed("part \(parts.count + 1) does not begin with the boundary at byte \(index)")
            }
            index += delimiter.count
            var headers: [String: String] = [:]
            while true {
                guard let end = find([0x0D, 0x0A], in: data, from: index) else { return parts }
                let line = String(decoding: data[index..<end], as: UTF8.self)
                index = end + 2
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed("header line '\(line)' has no colon") }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            guard let length = headers["content-length"].flatMap({ Int($0) }) else {
                throw Failure.malformed("part \(parts.count + 1) has no Content-Length")
            }
            guard data.count - index >= length + 2 else { break }
            let body = Array(data[index..<index + length])
            index += length
            guard data[index] == 0x0D, data[index + 1] == 0x0A else { throw Failure.malformed("part \(parts.count + 1) does not end with CRLF") }
            index += 2
            parts.append(Part(headers: headers, body: body))
        }
        return parts
    }

    private static func find(_ needle: [UInt8], in data: [UInt8], from start: Int) -> Int? {
        guard data.count >= needle.count else { return nil }
        var index = start
        while index <= data.count - needle.count {
            if data[index] == needle[0] && Array(data[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }
}

/// Every suite that runs a node with its server, one test at a time: each paces a simulated
/// node to the wall clock, and several at once on a loaded machine starve each other.
@Suite(.serialized) enum HTTPSuites {}
