import CameraDrivers
import EventStore
import Foundation
import HAL
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import Node
import Recorder
import ServiceLifecycle

/// `vigil record`'s HTTP interface: a consumer of a ``CameraNode``'s typed API served on
/// Hummingbird (NIO's event loops, outside any simulation the node runs in).
///
/// Routes (described in `openapi.yaml`, served at `/api/v1/openapi.yaml`):
/// `/` (the status page), `/api/v1/status`, `/api/v1/events`, `/api/v1/events/{id}`,
/// `/api/v1/events/{id}/snapshot.jpg`, `/api/v1/movies/{id}.mkv`,
/// `/cameras/{name}/snapshot.jpg`, `/cameras/{name}/stream.mjpg` (with `/snapshot` and
/// `/stream` for the first camera), `POST /api/v1/cameras/{name}/trigger` and `/metrics`.
/// Errors are JSON `{"error", "message"}` with their status code.
public final class NodeHTTPServer: Sendable {
    /// How the server is set up besides the configuration's `http:` section.
    public struct Options: Sendable {
        /// The version `vigil_build_info` carries.
        public var version = "unknown"
        /// Reads the `since` and `before` of `/api/v1/events` (as `vigil events list --since`
        /// does); the default takes ISO 8601 date-times only.
        public var parseTime: @Sendable (String, Date) -> Date? = { text, _ in
            (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
                ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
        }

        public init() {}
    }

    /// The largest request body taken (a trigger's JSON).
    static let maxBodyBytes = 4096
    /// Events a list answers at most.
    static let maxEventLimit = 1000

    let node: CameraNode
    let settings: NodeConfiguration.HTTP
    /// The host it listens on, as configured.
    public let host: String
    /// The port asked for (0: any free one; `run` tells which).
    public let port: Int
    let options: Options
    let logger: Logger
    let live: LiveCameras
    let metrics: NodeMetrics
    let authenticator: Authenticator
    let index: EventIndex
    let tls: TLSConfiguration?
    private let events: Subscription<RecorderEvent>

    /// Checks the settings (an address to listen on; auth or `insecure` beyond loopback) and
    /// opens the node's index for reading. Make it before running the node to count every event.
    public init(node: CameraNode, settings: NodeConfiguration.HTTP, logger: Logger, options: Options = Options()) throws {
        guard let listen = settings.listen else { throw NodeError("the HTTP interface is off ('listen: off')") }
        guard let (host, port) = NodeConfiguration.HTTP.split(listen: listen) else {
            throw NodeError("the HTTP address must be HOST:PORT (127.0.0.1:8080), not '\(listen)'")
        }
        if !NodeConfiguration.HTTP.isLoopback(host: host), !settings.requiresAuthentication, !settings.insecure {
            throw NodeError(
                "refusing to serve HTTP on \(listen), beyond this machine, without users or tokens: add some to the 'http:' section, or say 'insecure: true'")
        }
        if !NodeConfiguration.HTTP.isLoopback(host: host), !settings.requiresAuthentication {
            logger.warning("serving HTTP on \(listen) without authentication ('insecure: true'): anyone who reaches it can watch and trigger")
        }
        self.node = node
        self.settings = settings
        self.host = host
        self.port = port
        self.options = options
        self.logger = logger
        live = LiveCameras(node: node, maxViewers: settings.maxViewers)
        metrics = NodeMetrics(cameraNames: node.cameraNames, version: options.version)
        authenticator = Authenticator(settings)
        index = node.index
        tls = try settings.tls.map(Self.tlsConfiguration)
        events = node.events()
    }

    /// Whether it serves HTTPS.
    public var isSecure: Bool { tls != nil }

    /// The server's TLS configuration from PEM files, each failure naming the file.
    static func tlsConfiguration(_ files: NodeConfiguration.HTTP.TLS) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath)
        } catch {
            throw NodeError("cannot read the TLS certificate \(files.certificatePath): \(error)")
        }
        guard !chain.isEmpty else { throw NodeError("the TLS certificate file \(files.certificatePath) holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
        } catch {
            throw NodeError("cannot read the TLS key \(files.keyPath): \(error)")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }

    /// Serves until cancelled; `onListening` gets the port bound (useful with port 0). Live
    /// streams end when the node stops.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: JSONErrorMiddleware())
        if authenticator.enabled { router.add(middleware: AuthMiddleware(authenticator: authenticator)) }
        addRoutes(to: router)
        let idle = max(Duration.seconds(1), settings.idleTimeout)
        let writeTimeout = settings.writeTimeout
        // Hummingbird's idle timeout restarts with every part of a request; ours holds the whole
        // request to it, however slowly its bytes come (slowloris).
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestDeadlineHandler(timeout: idle), SlowReaderHandler(timeout: writeTimeout)],
            idleTimeout: .nanoseconds(idle.nanoseconds),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 8192, maxHeaderListSize: 32768, maxHeaderFieldCount: 100))
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(configuration: http1), tlsConfiguration: $0) } ?? .http1(configuration: http1)
        let app = Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "vigil",
                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections, logger: logger)),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let (live, metrics, events) = (live, metrics, events)
        var configuration = ServiceGroupConfiguration(services: [.init(service: app)], logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.shutdownGrace
        let services = ServiceGroup(configuration: configuration)
        // Unstructured, so that cancelling `run` becomes a graceful shutdown: requests under
        // way finish (live streams end with the node) for up to `shutdownGrace`.
        let serving = Task { try await services.run() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [logger] in await live.follow(metrics: metrics, logger: logger) }
            group.addTask {
                for await event in events { metrics.observe(event: event) }
                live.nodeEnded()
            }
            defer { group.cancelAll() }
            try await withTaskCancellationHandler {
                try await serving.value
            } onCancel: {
                Task { await services.triggerGracefulShutdown() }
            }
        }
    }

    /// How long a stopping server waits for requests under way (a movie download) before it
    /// cuts them off.
    static let shutdownGrace = Duration.seconds(3)

    // MARK: Routes

    private func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: StatusPage.html)))
        }
        router.get("/api/v1/openapi.yaml") { _, _ in
            // Compiled into the binary (`.embedInCode`): a packaged node has no resource bundle beside it.
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml)))
        }
        router.get("/api/v1/status") { [node] _, _ in JSONDocument.response(node.status) }
        router.get("/api/v1/events") { [self] request, _ in try listEvents(request) }
        router.get("/api/v1/events/{id}") { [self] _, context in
            let event = try event(context)
            return JSONDocument.response(EventDocument(event, movies: try readIndex { try index.movies(eventID: event.id) }))
        }
        router.get("/api/v1/events/{id}/snapshot.jpg") { [self] request, context in
            let event = try event(context)
            guard let path = event.snapshot else { throw APIError.notFound("event \(event.id) has no snapshot") }
            return try FileResponse.response(path: try insideStorage(path), contentType: "image/jpeg", request: request)
        }
        router.get("/api/v1/movies/{id}.mkv") { [self] request, context in
            let id = try number(context, "id", what: "movie id")
            guard let movie = try readIndex({ try index.movie(id: id) }) else { throw APIError.notFound("no movie \(id)") }
            guard movie.finished else {
                throw APIError(
                    .conflict, "still-recording",
                    "movie \(id) is still being written; it can be fetched once the recorder finishes it (see its event's 'movies')",
                    headers: [.retryAfter: "10"])
            }
            return try FileResponse.response(path: try insideStorage(movie.path), contentType: "video/x-matroska", request: request)
        }
        router.get("/cameras/{name}/snapshot.jpg") { [self] _, context in try await snapshot(try camera(context)) }
        router.get("/cameras/{name}/stream.mjpg") { [self] _, context in try stream(try camera(context)) }
        // mjpg-streamer's and µStreamer's paths, for the first camera.
        router.get("/snapshot") { [self] _, _ in try await snapshot(try firstCamera()) }
        router.get("/stream") { [self] _, _ in try stream(try firstCamera()) }
        router.post("/api/v1/cameras/{name}/trigger") { [self] request, context in
            let camera = try camera(context)
            let body = try await request.body.collect(upTo: Self.maxBodyBytes)
            let duration = try Self.triggerDuration(Array(buffer: body))
            do {
                let triggered = try node.trigger(camera: camera, for: duration)
                struct Answer: Encodable {
                    var triggered: [String]
                    var seconds: Double?
                }
                return JSONDocument.response(Answer(triggered: triggered, seconds: duration?.seconds))
            } catch {
                throw APIError(.serviceUnavailable, "not-recording", "\(error)")
            }
        }
        router.get("/metrics") { [self] _, _ in
            metrics.liveViewers.record(live.viewerCount)
            let text = metrics.render(status: node.status, dropped: node.droppedByReaders)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }

    // MARK: Handlers

    private func listEvents(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        for (key, _) in query where !["since", "before", "camera", "limit", "token"].contains(String(key)) {
            throw APIError.badParameter("unknown parameter '\(key)'; the filters are since, before, camera and limit")
        }
        let now = Date()
        func time(_ name: String) throws -> Date? {
            guard let text = query.get(name) else { return nil }
            guard let date = options.parseTime(text, now) else {
                throw APIError.badParameter(
                    "'\(name)' must be a date or time (2025-03-01, 2025-03-01T18:00, with Z or +01:00), a duration back from now (2h, 30m, 7d), today or yesterday; not '\(text)'")
            }
            return date
        }
        let since = try time("since")
        let before = try time("before")
        let camera = query.get("camera")
        if let camera, !StorageLayout.isValid(camera: camera) {
            throw APIError.badParameter("'camera' may hold only letters, digits, '_' and '-', not '\(camera)'")
        }
        var limit = 100
        if let text = query.get("limit") {
            guard let value = Int(text), (0...Self.maxEventLimit).contains(value) else {
                throw APIError.badParameter("'limit' must be a whole number from 0 to \(Self.maxEventLimit), not '\(text)'")
            }
            limit = value
        }
        let documents = try readIndex {
            try index.events(since: since, before: before, camera: camera, limit: limit).map { event in
                EventDocument(event, movies: try index.movies(eventID: event.id))
            }
        }
        return JSONDocument.response(documents)
    }

    private func snapshot(_ camera: String) async throws -> Response {
        let frame = try await live.freshFrame(camera)
        return Response(
            status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "no-store", .contentLength: String(frame.jpeg.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: frame.jpeg)))
    }

    private func stream(_ camera: String) throws -> Response {
        guard live.admitViewer() else {
            throw APIError(
                .serviceUnavailable, "too-many-viewers", "all \(settings.maxViewers) live viewers' places are taken; try again later",
                headers: [.retryAfter: "5"])
        }
        let frames: Subscription<CapturedFrame>
        do {
            frames = try node.frames(camera: camera, bufferSize: 2)
        } catch {
            live.releaseViewer()
            throw APIError.notFound("\(error)")
        }
        let live = live
        return MJPEGStream.response(frames: frames) { live.releaseViewer() }
    }

    // MARK: Parameters

    private func camera(_ context: BasicRequestContext) throws -> String {
        guard let name = context.parameters.get("name"), node.cameraNames.contains(name) else {
            throw APIError.notFound("no camera named '\(context.parameters.get("name") ?? "")'; cameras: \(node.cameraNames.joined(separator: ", "))")
        }
        return name
    }

    private func firstCamera() throws -> String {
        guard let name = node.cameraNames.first else { throw APIError.notFound("the node has no camera") }
        return name
    }

    private func number(_ context: BasicRequestContext, _ key: String, what: String) throws -> Int64 {
        let text = context.parameters.get(key) ?? ""
        guard let value = Int64(text), value >= 0 else { throw APIError.badParameter("the \(what) must be a whole number, not '\(text)'") }
        return value
    }

    private func event(_ context: BasicRequestContext) throws -> EventRecord {
        let id = try number(context, "id", what: "event id")
        guard let event = try readIndex({ try index.event(id: id) }) else { throw APIError.notFound("no event \(id)") }
        return event
    }

    private func readIndex<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.internalServerError, "index", "cannot read the event index: \(error)")
        }
    }

    /// `path` when it lies under the storage root (the index holds only such paths; a row
    /// that says otherwise is not followed).
    private func insideStorage(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: node.layout.root).standardizedFileURL.resolvingSymlinksInPath().path
        let file = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        guard file.hasPrefix(root + "/") else { throw APIError(.forbidden, "forbidden", "the file lies outside the storage root") }
        return file
    }

    /// A trigger's duration from its JSON body: `{"for": "20s"}` or `{"for": 20}` (seconds);
    /// an empty body or no `for` is an instant.
    static func triggerDuration(_ body: [UInt8]) throws -> Duration? {
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw APIError.badParameter("the body must be a JSON object such as {\"for\": \"20s\"}")
        }
        for key in object.keys where key != "for" { throw APIError.badParameter("unknown field '\(key)'; the body takes 'for'") }
        guard let value = object["for"] else { return nil }
        let longest = Recorder.longestManualTrigger
        let duration: Duration
        if let text = value as? String, let parsed = Duration(humanReadable: text) {
            duration = parsed
        } else if let number = value as? NSNumber, !(value is String), number.doubleValue.isFinite, number.doubleValue >= 0,
                  number.doubleValue <= longest.seconds {
            duration = .milliseconds(Int64((number.doubleValue * 1000).rounded()))
        } else {
            throw APIError.badParameter("'for' must be a duration such as \"20s\" or \"2m\", or seconds, not \(value)")
        }
        guard duration >= .zero, duration <= longest else {
            throw APIError.badParameter("'for' must be from 0 to \(longest.humanReadable), not \(duration.humanReadable)")
        }
        return duration
    }
}

/// Makes `vigil http hash-password`'s hashes.
public enum PasswordHash {
    /// A bcrypt hash of `secret` (cost 12, about a quarter second): what the `http:` section's
    /// `password-hash` and `tokens` take.
    public static func make(_ secret: String, cost: UInt8 = 12) -> String { Authenticator.hash(secret, cost: cost) }
}

/// Counts requests by method and status code (`vigil_http_requests_total`).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: NodeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.countRequest(method: request.method.rawValue, status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.countRequest(method: request.method.rawValue, status: error.status.code)
            throw error
        }
    }
}
