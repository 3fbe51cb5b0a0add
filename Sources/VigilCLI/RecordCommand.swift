import ArgumentParser
import CameraDrivers
import EventStore
import Foundation
import BoardSupport
import HAL
import Logging
import Peripherals
import Recorder
import Synchronization

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
            faster than the wall clock.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var storage: StorageOptions
    @OptionGroup var camera: CameraOptions

    @Option(help: "A configuration file (YAML; see Tools/vigil.yaml). Flags override it.")
    var config: String?

    @Option(help: "Stop after this long (90s, 10m, 2h; simulated time on the sim board). Default: until stopped.", transform: DurationArgument.parse)
    var duration: DurationArgument?

    @Option(help: "The name the camera's files and events carry (default: camera).")
    var name: String?

    @Option(help: "Frame size to record at, WxH (640x480, 320x240; VC0706 and OV528 also 160x120, uCAM-III 160x128; default 320x240).")
    var size: String?

    func validate() throws {
        if let size, parseSize(size) == nil { throw ValidationError("--size must be WxH, such as 320x240, not '\(size)'") }
        if let name, !StorageLayout.isValid(camera: name) {
            throw ValidationError("--name '\(name)' may hold only letters, digits, '_' and '-'")
        }
        if let duration, duration.duration <= .zero { throw ValidationError("--duration must be positive") }
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
        if let size, let (width, height) = parseSize(size) { (configuration.cameras[0].width, configuration.cameras[0].height) = (width, height) }
        return configuration
    }

    func run() async throws {
        let logger = options.makeLogger("vigil.record")
        let configuration: NodeConfiguration
        do {
            configuration = try loadConfiguration()
        } catch let error as ConfigurationError {
            throw CLIError(error.description)
        }
        let context = try NodeContext(options: options, defaultBoard: configuration.board)
        let layout = StorageLayout(root: configuration.storage ?? storage.root())
        let index = try openWritableIndex(layout)
        let lock: StorageLock
        do {
            lock = try StorageLock(root: layout.root)
        } catch {
            throw CLIError("cannot record to \(layout.root): \(error)")
        }
        defer { withExtendedLifetime(lock) {} }
        let repaired = try Recorder.reconcile(layout: layout, index: index)
        if !repaired.isClean {
            logger.notice("index reconciled with the files on disk", metadata: ["report": "\(repaired)"])
        }
        let plans = try configuration.cameras.map { entry in
            (entry, try context.cameraPlan(port: entry.port, model: entry.model, baud: entry.baud, maxBaud: entry.maxBaud, verify: entry.verify))
        }
        let outputs = try makeOutputs(configuration.outputs, context: context, logger: logger)
        let pir = configuration.triggers.pir ? try? context.watchedInput(.pir) : nil
        let tamper = configuration.triggers.tamper ? try? context.watchedInput(.tamper) : nil
        let termination = TerminationSignal()
        let status = StatusBoard()
        let started = Date()
        let printer = EventPrinter(json: options.json)
        let duration = duration?.duration
        let detector: MotionDetector?
        do {
            detector = configuration.triggers.motion.enabled ? try MotionDetector(settings: configuration.triggers.motion.settings) : nil
        } catch {
            throw CLIError("software motion detection: \(error)")
        }
        let hooks: HookRunner
        do {
            hooks = try HookRunner(
                settings: HookSettings(commands: configuration.hooks.commands, timeout: configuration.hooks.timeout), logger: logger,
                onFailure: { failure in status.noteError("hook: \(failure)", at: Date()) })
        } catch {
            throw CLIError("hooks: \(error)")
        }

        try await context.run { [context] in
            let wallClock = WallClock(clock: context.clock)
            let recorderStorage = RecorderStorage(layout: layout, index: index, retention: configuration.retention, wallClock: wallClock)
            var cameraRecorders: [CameraRecorder] = []
            var ports: [AnySerialPort] = []
            for (entry, plan) in plans {
                let (driver, port) = try await context.openCamera(plan)
                ports.append(port)
                cameraRecorders.append(CameraRecorder(
                    name: entry.name, camera: driver,
                    settings: CameraSettings(width: entry.width, height: entry.height, compression: entry.compression),
                    clock: context.clock, events: configuration.events, useCameraMotion: configuration.triggers.cameraMotion,
                    motion: detector,
                    storage: recorderStorage, status: status, logger: logger,
                    hooks: { kind, environment in
                        printer.show(kind, environment)
                        hooks.run(kind, environment: environment)
                    }))
            }
            let recorder = Recorder(
                cameras: cameraRecorders, inputs: Recorder.Inputs(pir: pir, tamper: tamper), outputs: outputs, storage: recorderStorage,
                status: status, clock: context.clock, logger: logger)
            let server: ControlServer
            do {
                server = try ControlServer(path: layout.socketPath) { recorder.handle($0) }
            } catch {
                for port in ports { await port.close() }
                throw CLIError("cannot serve \(layout.socketPath): \(error)")
            }
            let notifier = SystemdNotifier()
            // On a thread of its own, on the wall clock: the simulated board's virtual time
            // must not pace systemd's watchdog.
            let watchdog = notifier.flatMap { notifier in
                notifier.watchdogInterval.map { WatchdogFeeder(notifier: notifier, interval: $0 / 2, status: status, logger: logger) }
            }
            defer { watchdog?.stop() }
            do {
                try notifier?.ready(status: "recording \(cameraRecorders.count) camera\(cameraRecorders.count == 1 ? "" : "s") to \(layout.root)")
            } catch {
                logger.error("sd_notify READY: \(error)")
            }
            if !options.json {
                let names = cameraRecorders.map(\.name).joined(separator: ", ")
                print("Recording \(names) to \(layout.root) (stop with Ctrl-C\(duration.map { ", or after \($0.humanReadable)" } ?? ""))")
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                group.addTask { await termination.wait() }
                if let duration {
                    group.addTask { try? await context.clock.sleep(until: context.clock.deadline(after: duration), tolerance: nil) }
                }
                await group.next()
                group.cancelAll()
            }
            try? notifier?.stopping()
            server.stop()
            for port in ports { await port.close() }
        }
        pir?.release()
        tamper?.release()
        _ = await hooks.shutdown(timeout: .seconds(5))
        try printSummary(index: index, layout: layout, since: started)
    }

    /// The status LED and IR illuminator, on the board's lines, as the configuration asks.
    /// A board without the line goes without the output (logged).
    private func makeOutputs(_ settings: NodeConfiguration.Outputs, context: NodeContext, logger: Logger) throws -> Recorder.Outputs {
        var outputs = Recorder.Outputs()
        func request(_ role: LogicalLine) -> (any LineRequest)? {
            guard context.board.lines[role] != nil else { return nil }
            do {
                let line = try context.resolveLine(role.rawValue)
                return try line.chip.requestLines([line.offset], settings: line.settings, consumer: "vigil-record")
            } catch {
                logger.warning("the \(role) line is not available: \(error)")
                return nil
            }
        }
        if settings.statusLED, let line = request(.statusLED) {
            outputs.statusLED = try StatusLED(line: line, pattern: .idle)
        }
        let mode: Illuminator.Mode
        switch settings.ir {
        case .off: mode = .off
        case .on: mode = .on
        case .auto:
            mode = .auto(try Illuminator.DarknessThresholds(onBelow: settings.irOnBelow, offAbove: settings.irOffAbove))
        case .schedule:
            mode = .schedule(
                try DailySchedule(
                    from: TimeOfDay(secondsSinceMidnight: settings.irFrom * 60), to: TimeOfDay(secondsSinceMidnight: settings.irTo * 60)))
        }
        if let line = request(.irLED) {
            outputs.illuminator = try Illuminator(line: line, mode: mode)
        }
        return outputs
    }

    private func openWritableIndex(_ layout: StorageLayout) throws -> EventIndex {
        do {
            try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create the storage root \(layout.root): \(error.localizedDescription)")
        }
        do {
            return try EventIndex(path: layout.indexPath)
        } catch {
            throw CLIError("cannot open the event index \(layout.indexPath): \(error)")
        }
    }

    private func printSummary(index: EventIndex, layout: StorageLayout, since: Date) throws {
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
        print("Recorded \(events.count) event\(events.count == 1 ? "" : "s"), \(movies.count) movie\(movies.count == 1 ? "" : "s") (\(ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file))) under \(layout.root)")
        for movie in movies.sorted(by: { $0.start < $1.start }) {
            print("  \(movie.path)  \(movie.frames) frames")
        }
    }
}

/// Prints events as they begin and end: a line for people, or JSON Lines with --json.
struct EventPrinter: Sendable {
    let json: Bool

    func show(_ kind: HookKind, _ environment: [String: String]) {
        if json {
            var line = environment
            line["kind"] = kind.rawValue
            try? Output.jsonLine(line)
            return
        }
        let id = environment["VIGIL_EVENT_ID"] ?? "?"
        switch kind {
        case .eventStart:
            print("event \(id) begins at \(environment["VIGIL_EVENT_START"] ?? "?") (\(environment["VIGIL_TRIGGERS"] ?? ""))")
        case .eventEnd:
            print("event \(id) ends at \(environment["VIGIL_EVENT_END"] ?? "?"): \(environment["VIGIL_EVENT_FRAMES"] ?? "0") frames")
        case .movieEnd:
            print("  movie \(environment["VIGIL_MOVIE"] ?? "?"): \(environment["VIGIL_MOVIE_FRAMES"] ?? "0") frames, \(environment["VIGIL_MOVIE_SECONDS"] ?? "0") s")
        }
        fflush(nil)
    }
}

extension NodeContext {
    /// The board's line for `role`, requested as an input with edge events.
    func watchedInput(_ role: LogicalLine) throws -> any LineRequest {
        let line = try resolveLine(role.rawValue)
        var settings = line.settings
        settings.edgeDetection = .both
        return try line.chip.requestLines([line.offset], settings: settings, consumer: "vigil-record")
    }
}

/// Pings systemd's watchdog from a thread of its own while some camera still delivers frames:
/// a recorder whose every camera is stuck (no new frame for twenty intervals) stops pinging,
/// so systemd restarts it.
final class WatchdogFeeder: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(notifier: SystemdNotifier, interval: Duration, status: StatusBoard, logger: Logger) {
        start(notifier: notifier, interval: interval, status: status, logger: logger)
    }

    private func start(notifier: SystemdNotifier, interval: Duration, status: StatusBoard, logger: Logger) {
        let thread = Thread { [self] in
            var lastFrames = -1
            var stalledSince = ContinuousClock.now
            while !self.stopped.load(ordering: .relaxed) {
                let frames = status.current.cameras.reduce(0) { $0 + $1.frames }
                if frames != lastFrames {
                    lastFrames = frames
                    stalledSince = .now
                }
                if ContinuousClock.now - stalledSince < interval * 20 {
                    do { try notifier.watchdog() } catch { logger.error("sd_notify WATCHDOG: \(error)") }
                }
                Thread.sleep(forTimeInterval: interval.seconds)
            }
        }
        thread.name = "vigil-watchdog"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}
