import ArgumentParser
import EventStore
import Foundation
import HAL
import HTTPInterface
import Logging
import MQTTInterface
import Node
import Recorder

/// `vigil record`: the camera node's main job.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Watch the camera and triggers; record events as movies with snapshots and an index.",
        discussion: """
            Runs in the foreground until stopped (SIGINT or SIGTERM finish the open movie first) or \
            for --duration. Events begin on the PIR line, the camera's own motion detection, \
            software motion detection, the tamper switch or 'vigil trigger'; each event's frames \
            (with a few seconds before the trigger) go into Matroska movies under the storage \
            root, named by camera and start time, with a snapshot and a row in index.sqlite. \
            'vigil status' asks the running recorder through its control socket (vigil.sock). \
            On the simulated board (the default), --speed N runs the simulated world N times \
            faster than the wall clock. --soak SEED runs the simulated board as fast as the \
            machine goes under a seeded fault plan (serial faults, camera power cuts, PIR \
            chatter, spells of a full disk) for --duration (default 72h), checks that every \
            stored frame is one the camera served and that the index holds every event, and \
            prints a summary; it exits with status 1 when a check fails.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var storage: StorageOptions
    @OptionGroup var camera: CameraOptions

    @Option(help: "A configuration file (YAML; see Tools/vigil.yaml). Flags override it.")
    var config: String?

    @Option(help: "Stop after this long (90s, 10m, 2h; simulated time on the sim board). Default: until stopped.", transform: DurationArgument.parse)
    var duration: DurationArgument?

    @Option(help: ArgumentHelp("Soak the simulated node under the fault plan drawn from SEED (see above).", valueName: "seed"))
    var soak: UInt64?

    @Option(help: "The name the camera's files and events carry (default: camera).")
    var name: String?

    @Option(help: "Frame size to record at, WxH (640x480, 320x240; VC0706 and OV528 also 160x120, uCAM-III 160x128; default 320x240).")
    var size: String?

    @Option(
        name: .customLong("http"),
        help: ArgumentHelp(
            "Serve the HTTP interface (status page, JSON API, snapshots, MJPEG, /metrics) on ADDR:PORT, or 'off'. Default: the configuration's 'http: listen', else 127.0.0.1:8080.",
            valueName: "addr:port|off"))
    var http: String?

    func validate() throws {
        if let http, http != "off", NodeConfiguration.HTTP.split(listen: http) == nil {
            throw ValidationError("--http must be ADDR:PORT (127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080) or off, not '\(http)'")
        }
        if let size, NodeConfiguration.frameSize(size) == nil { throw ValidationError("--size must be WxH, such as 320x240, not '\(size)'") }
        if let name, !StorageLayout.isValid(camera: name) {
            throw ValidationError("--name '\(name)' may hold only letters, digits, '_' and '-'")
        }
        if let duration, duration.duration <= .zero { throw ValidationError("--duration must be positive") }
        if soak != nil, options.backend == .linux { throw ValidationError("--soak runs on the simulated board only") }
    }

    /// The configuration file's settings with the command line's on top.
    func loadConfiguration() throws -> NodeConfiguration {
        var configuration = try config.map { try NodeConfiguration.load(path: $0) } ?? NodeConfiguration()
        if storage.storage == nil, ProcessInfo.processInfo.environment["VIGIL_STORAGE"]?.isEmpty ?? true, let root = configuration.storage {
            configuration.storage = root
        } else {
            configuration.storage = storage.root()
        }
        if configuration.cameras.isEmpty { configuration.cameras = [NodeConfiguration.Camera()] }
        if let name { configuration.cameras[0].name = name }
        if let port = camera.port { configuration.cameras[0].port = port }
        if let model = camera.camera { configuration.cameras[0].model = model }
        if let baud = camera.baud { configuration.cameras[0].baud = baud }
        if let maxBaud = camera.maxBaud { configuration.cameras[0].maxBaud = maxBaud }
        if camera.verify { configuration.cameras[0].verify = true }
        if let size, let (width, height) = NodeConfiguration.frameSize(size) { (configuration.cameras[0].width, configuration.cameras[0].height) = (width, height) }
        if let http { configuration.http.listen = http == "off" ? nil : http }
        return configuration
    }

    func run() async throws {
        let logger = options.makeLogger("vigil.record")
        var configuration: NodeConfiguration
        do {
            configuration = try loadConfiguration()
        } catch let error as ConfigurationError {
            throw CLIError(error.description)
        }
        if let soak { return try await runSoak(seed: soak, configuration: &configuration, logger: logger) }
        let termination = ProcessSignals.termination()
        let hangUps = ProcessSignals.hangUp()
        let hardware = try NodeHardware(options: options, defaultBoard: configuration.board)
        let node = try CameraNode(configuration: configuration, hardware: hardware, logger: logger)
        let server = try makeHTTPServer(node: node, configuration: configuration, logger: logger)
        let started = Date()
        let printer = EventPrinter(json: options.json, storageRoot: node.layout.root)
        let events = node.events()
        let mqtt = try configuration.mqtt.map { try MQTTBridge(node: node, settings: $0, logger: logger) }
        if !options.json {
            let names = node.cameraNames.joined(separator: ", ")
            print("Recording \(names) to \(node.layout.root) (stop with Ctrl-C\(duration.map { ", or after \($0.duration.humanReadable)" } ?? ""))")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for await event in events { printer.show(event) } }
            if let mqtt { group.addTask { await mqtt.run() } }
            group.addTask {
                await termination.wait()
                node.stop()
            }
            group.addTask {
                for await _ in hangUps { await reload(node, logger: logger) }
            }
            if let server {
                let json = options.json
                group.addTask {
                    do {
                        try await server.run { port in
                            if !json {
                                print("Status page: \(Self.address(server.host, port, secure: server.isSecure))")
                                fflush(nil)
                            }
                        }
                    } catch is CancellationError {
                    } catch {
                        // Recording matters more than serving it: say so and record on.
                        let message = "the HTTP interface on \(server.host):\(server.port) stopped: \(error) (recording goes on without it; --http ADDR:PORT picks another address, --http off none)"
                        logger.error("\(message)")
                        FileHandle.standardError.write(Data("vigil: \(message)\n".utf8))
                    }
                }
            }
            try await node.run(for: duration?.duration)
            node.stop()
            group.cancelAll()
            try await group.waitForAll()
        }
        try printSummary(layout: node.layout, since: started)
    }

    /// The camera's line speed in a soak unless --max-baud says otherwise.
    static let soakBaud = 9600

    /// The default length of a soak: the CI run's 72 simulated hours.
    static let defaultSoakDuration = Duration.seconds(72 * 3600)

    /// `--soak SEED`: the simulated board unpaced under a seeded fault plan; the summary, and
    /// exit status 1 when a check failed.
    private func runSoak(seed: UInt64, configuration: inout NodeConfiguration, logger: Logger) async throws {
        // Cheap frames keep days of simulated time within minutes: small, PIR-triggered only.
        if size == nil { (configuration.cameras[0].width, configuration.cameras[0].height) = (160, 120) }
        // A slow line carries fewer frames a simulated hour: the cost of a run is per byte.
        if camera.maxBaud == nil { configuration.cameras[0].maxBaud = Self.soakBaud }
        configuration.triggers.motion.enabled = false
        configuration.triggers.cameraMotion = false
        configuration.http.listen = nil
        let hardware = try NodeHardware(board: options.board ?? configuration.board ?? "sim", backend: options.backend, speed: nil)
        var nodeOptions = CameraNode.Options()
        nodeOptions.systemd = false
        let node = try CameraNode(configuration: configuration, hardware: hardware, logger: logger, options: nodeOptions)
        let soak = try Soak(plan: SoakPlan(seed: seed, duration: duration?.duration ?? Self.defaultSoakDuration), node: node)
        if !options.json {
            print("Soaking \(node.cameraNames.joined(separator: ", ")) to \(node.layout.root) for \((duration?.duration ?? Self.defaultSoakDuration).humanReadable) of simulated time (seed \(seed))")
            fflush(nil)
        }
        let summary = try await soak.run()
        if options.json { try Output.json(summary) } else { print(summary) }
        guard summary.passed else { throw ExitCode(1) }
    }

    /// SIGHUP: the configuration file read again and applied; one that does not parse or
    /// cannot be applied is refused (its problems logged) and the running one kept.
    private func reload(_ node: CameraNode, logger: Logger) async {
        do {
            let configuration = try loadConfiguration()
            let report = try await node.reload(configuration)
            logger.notice("SIGHUP: configuration reloaded: \(report)")
        } catch {
            logger.error("SIGHUP: the configuration was not reloaded, the running one is kept: \(error)")
        }
    }

    /// The HTTP interface the configuration (and --http) asks for, or nil when it is off.
    private func makeHTTPServer(node: CameraNode, configuration: NodeConfiguration, logger: Logger) throws -> NodeHTTPServer? {
        guard configuration.http.listen != nil else { return nil }
        var options = NodeHTTPServer.Options()
        options.version = VigilCommand.configuration.version
        options.parseTime = { SinceArgument.parse($0, now: $1) }
        do {
            return try NodeHTTPServer(node: node, settings: configuration.http, logger: logger, options: options)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// The status page's address for people: `http://HOST:PORT/` (`https` with TLS), an IPv6
    /// host in brackets.
    static func address(_ host: String, _ port: Int, secure: Bool) -> String {
        "\(secure ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
    }

    private func printSummary(layout: StorageLayout, since: Date) throws {
        let index = try EventIndex(path: layout.indexPath, readOnly: true)
        let events = try index.events(since: since.addingTimeInterval(-1))
        var movies: [MovieRecord] = []
        for event in events { movies += try index.movies(eventID: event.id) }
        let bytes = movies.reduce(Int64(0)) { $0 + $1.bytes }
        if options.json {
            struct Summary: Encodable {
                var storage: String
                var events: [EventRecord]
                var movies: [MovieRecord]
            }
            return try Output.json(Summary(storage: layout.root, events: events, movies: movies))
        }
        let snapshots = events.filter { $0.snapshot != nil }.count
        let kept = movies.isEmpty && snapshots > 0
            ? "\(snapshots) snapshot\(snapshots == 1 ? "" : "s")"
            : "\(movies.count) movie\(movies.count == 1 ? "" : "s") (\(ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file)))"
        print("Recorded \(events.count) event\(events.count == 1 ? "" : "s"), \(kept) under \(layout.root)")
        for movie in movies.sorted(by: { $0.start < $1.start }) {
            print("  \(movie.path)  \(movie.frames) frames")
        }
    }
}

/// Prints events as they begin and end: a line for people, or JSON Lines with --json (the hook
/// environment and its kind).
struct EventPrinter: Sendable {
    let json: Bool
    let storageRoot: String

    func show(_ event: RecorderEvent) {
        guard let hook = HookInvocation(event, storageRoot: storageRoot) else { return }
        if json {
            var line = hook.environment
            line["kind"] = hook.kind.rawValue
            do { try Output.jsonLine(line) } catch { FileHandle.standardError.write(Data("vigil: \(error)\n".utf8)) }
            return
        }
        let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        switch event {
        case .eventStarted(let record):
            print("event \(record.id) begins at \(time.format(record.start)) (\(record.triggers.joined(separator: ",")))")
        case .eventEnded(let record):
            // Without movies (events: movies: false) an event's frames are 0: its snapshot is what it keeps.
            var kept = "\(record.frames) frames"
            if record.frames == 0, let snapshot = record.snapshot { kept = "snapshot \(snapshot)" }
            print("event \(record.id) ends at \(time.format(record.end ?? record.start)): \(kept)")
        case .movieFinished(let movie):
            print("  movie \(movie.path): \(movie.frames) frames, \(String(format: "%.3f", movie.duration.seconds)) s")
        default:
            break
        }
        fflush(nil)
    }
}
