import BoardSupport
import CameraDrivers
import EventStore
import Foundation
import HAL
import Logging
import Movies
import Peripherals
import Recorder
import Synchronization
import SystemCalls

/// A camera node: a board and a node configuration made into a running recorder, and the one
/// typed API through which everything outside reaches it (the control socket, hooks, the
/// event printer, HTTP, MQTT).
///
/// Building one (``init(configuration:hardware:logger:options:)``) takes the storage root's
/// lock, reconciles the index with the files, and claims the board's lines; it fails with a
/// ``NodeError`` naming what could not be had. ``run(for:)`` opens the cameras, serves the
/// control socket and records until ``stop()``, the duration or cancellation; then it
/// finishes open movies, closes ports, drains the hooks and releases the lines, in that order.
///
/// The API: ``status``, ``events(bufferSize:)`` (typed ``RecorderEvent``s), ``frames(camera:bufferSize:)``
/// (the latest frame, then live ones), and the commands ``trigger(camera:for:)``,
/// ``snapshot(camera:timeout:)`` and ``setIlluminator(_:)``. Subscribers each get a bounded
/// buffer: one that reads too slowly loses its oldest values (counted), never slowing the
/// recording.
public final class CameraNode: Sendable {
    /// What the node serves besides recording.
    public struct Options: Sendable {
        /// Serve `vigil.sock` at the storage root (`vigil status`, `vigil trigger`).
        public var controlSocket = true
        /// Tell systemd READY, feed its watchdog and say STOPPING (when `NOTIFY_SOCKET` is set).
        public var systemd = true
        /// How many events a subscriber's buffer holds.
        public var eventBuffer = 1024
        /// How many frames a frame subscriber's buffer holds.
        public var frameBuffer = 4

        public init() {}
    }

    /// The configuration the node runs now (its cameras change with ``reload(_:)``).
    public var configuration: NodeConfiguration { current.withLock { $0 } }
    private let current: Mutex<NodeConfiguration>
    public let hardware: NodeHardware
    public let layout: StorageLayout
    public let options: Options
    /// What reconciling the index with the files found at start-up.
    public let reconciled: ReconcileReport
    /// The node's event index, open read-write for as long as the node lives: consumers read
    /// events and movies through it, and keep rows of their own in it (the MQTT outbox).
    public let index: EventIndex
    /// Watches the storage root for faults (read-only, missing, unmounted, index full).
    private let monitor: StorageMonitor
    let logger: Logger
    /// Held from start-up to the end of the run.
    private let lock: Mutex<StorageLock?>
    /// Each camera's plan (its power line held), by name.
    private let plans: Mutex<[String: NodeHardware.CameraPlan]>
    private let inputs: Recorder.Inputs
    private let outputs: Recorder.Outputs
    /// The lines the outputs drive, released at shutdown.
    private let outputLines: [any LineRequest]
    private let detector: MotionDetector?
    private let hooks: HookRunner
    private let statusBoard = StatusBoard()
    private let eventBroadcast: Broadcast<RecorderEvent>
    private let frameBroadcasts: Mutex<[String: Broadcast<CapturedFrame>]>
    /// What exists while recording: the recorder, and what a camera added by a reload needs.
    private struct Running: Sendable {
        var recorder: Recorder
        var storage: RecorderStorage
        var observer: RecorderObserver
        var ports: [String: AnySerialPort]
    }
    private let running = Mutex<Running?>(nil)
    private let reloads: AsyncStream<ReloadRequest>
    private let reloadRequests: AsyncStream<ReloadRequest>.Continuation
    private let stopRequest = StopSignal()

    /// Builds the node: storage root (created owner-and-group only), lock, index, reconcile,
    /// camera plans, lines, motion detection and hooks, each checked. Lines and devices the
    /// configuration asks for but cannot have fail start-up, unless
    /// ``NodeConfiguration/requireHardware`` is false: then the node runs without them and says
    /// so in the log and in ``RecorderStatus/unavailable``.
    public init(configuration: NodeConfiguration, hardware: NodeHardware, logger: Logger, options: Options = Options()) throws {
        guard let root = configuration.storage, !root.isEmpty else {
            throw NodeError("the configuration names no storage root ('storage:' or --storage)")
        }
        if let problem = StorageLayout.problem(withRoot: root) { throw NodeError(problem) }
        if configuration.events.movies {
            do throws(MovieError) {
                try MovieWriter.checkPluginInstalled()
            } catch {
                throw NodeError("cannot record movies: \(error.message) (or set 'events: movies: false' to record snapshots only)")
            }
        }
        let layout = StorageLayout(root: root)
        try Self.createStorageRoot(layout.root)
        // The lock first: nothing else in the root is touched while another recorder owns it.
        do {
            lock = Mutex(try StorageLock(root: layout.root))
        } catch {
            throw NodeError("cannot record to \(layout.root): \(error)")
        }
        let index: EventIndex
        let recovery: EventIndex.Recovery?
        do {
            (index, recovery) = try EventIndex.openRecovering(path: layout.indexPath)
        } catch {
            throw NodeError("cannot open the event index \(layout.indexPath): \(error)")
        }
        if let recovery {
            logger.error("\(recovery); rebuilding it from the files under \(layout.root)")
        }
        do {
            reconciled = try Recorder.reconcile(layout: layout, index: index)
        } catch {
            throw NodeError("cannot reconcile the event index \(layout.indexPath) with the files under \(layout.root): \(error)")
        }
        if !reconciled.isClean {
            logger.notice("index reconciled with the files on disk", metadata: ["report": "\(reconciled)"])
        }
        monitor = StorageMonitor(layout: layout)
        do {
            try monitor.claim()
        } catch {
            throw NodeError("cannot write to the storage root \(layout.root): \(error)")
        }
        var unavailable: [String] = []
        func without(_ what: String, _ error: any Error) throws {
            let message = "\(what): \(error)"
            guard !configuration.requireHardware else {
                throw NodeError("\(message) (set 'require-hardware: false' in the configuration to run without it)")
            }
            logger.warning("running without \(message)")
            unavailable.append(message)
        }
        var plans: [String: NodeHardware.CameraPlan] = [:]
        for camera in configuration.cameras {
            let plan = try Self.plan(camera, hardware: hardware, requireHardware: configuration.requireHardware)
            if let reason = plan.powerUnavailable {
                logger.warning("camera \(camera.name) runs without power cycles: \(reason)")
                unavailable.append("camera \(camera.name) power: \(reason)")
            }
            plans[camera.name] = plan
        }
        var inputs = Recorder.Inputs()
        for (role, wanted) in [(LogicalLine.pir, configuration.triggers.pir), (.tamper, configuration.triggers.tamper)] where wanted {
            guard hardware.board.lines[role] != nil else {
                logger.info("the board has no \(role) line; recording without it")
                continue
            }
            do {
                let line = try hardware.watchedInput(role)
                if role == .pir { inputs.pir = line } else { inputs.tamper = line }
            } catch {
                try without("the \(role) line (\(Self.describeLine(role, on: hardware.board)))", error)
            }
        }
        self.inputs = inputs
        (outputs, outputLines) = try Self.makeOutputs(configuration.outputs, hardware: hardware, logger: logger) { what, error in
            try without(what, error)
        }
        do {
            detector = configuration.triggers.motion.enabled ? try MotionDetector(settings: configuration.triggers.motion.settings) : nil
        } catch {
            throw NodeError("software motion detection: \(error)")
        }
        let status = statusBoard
        let eventBroadcast = Broadcast<RecorderEvent>(defaultBufferSize: options.eventBuffer)
        self.eventBroadcast = eventBroadcast
        do {
            hooks = try HookRunner(
                settings: HookSettings(commands: configuration.hooks.commands, timeout: configuration.hooks.timeout), logger: logger,
                onFailure: { failure in
                    status.noteError("hook: \(failure)", at: Date())
                    eventBroadcast.publish(.hookFailed(failure.kind, reason: "\(failure.reason)", at: Date()))
                })
        } catch {
            throw NodeError("hooks: \(error)")
        }
        if !unavailable.isEmpty { statusBoard.update { $0.unavailable = unavailable } }
        if let recovery { statusBoard.noteError("\(recovery)", at: Date()) }
        current = Mutex(configuration)
        (reloads, reloadRequests) = AsyncStream.makeStream(of: ReloadRequest.self)
        self.hardware = hardware
        self.layout = layout
        self.options = options
        self.index = index
        self.logger = logger
        self.plans = Mutex(plans)
        frameBroadcasts = Mutex(Dictionary(
            uniqueKeysWithValues: configuration.cameras.map { ($0.name, Broadcast<CapturedFrame>(defaultBufferSize: options.frameBuffer)) }))
    }

    // MARK: The typed API

    /// The names of the node's cameras, in the configuration's order.
    public var cameraNames: [String] { configuration.cameras.map(\.name) }

    /// The status now (what `vigil status --json` prints): fresh storage figures and uptime
    /// while running, the last state otherwise.
    public var status: RecorderStatus {
        running.withLock { $0 }?.recorder.currentStatus() ?? statusBoard.current
    }

    /// The node's events from now on, until the node stops. Subscribe before ``run(for:)`` to
    /// see every event of the run.
    public func events(bufferSize: Int? = nil) -> Subscription<RecorderEvent> {
        eventBroadcast.subscribe(bufferSize: bufferSize)
    }

    /// `camera`'s latest frame at once (when there is one), then each new frame, until the
    /// node stops. Throws for a camera the node does not have.
    public func frames(camera: String, bufferSize: Int? = nil) throws -> Subscription<CapturedFrame> {
        try frameBroadcast(camera).subscribe(bufferSize: bufferSize, replayLatest: true)
    }

    /// `camera`'s latest frame, if it has delivered one.
    public func latestFrame(camera: String) throws -> CapturedFrame? {
        try frameBroadcast(camera).latest
    }

    /// How many storage faults of each kind (`read-only`, `missing`, `unmounted`, `index-full`)
    /// began since start-up, and how many times the storage came back.
    public var storageFaults: (began: [String: Int], recoveries: Int) {
        (monitor.faultCounts, monitor.recoveries)
    }

    /// Events and frames lost by subscribers that read too slowly, so far.
    public var droppedByReaders: (events: Int, frames: Int) {
        (eventBroadcast.dropped, frameBroadcasts.withLock { $0.values.reduce(0) { $0 + $1.dropped } })
    }

    /// Starts a manual event on `camera` (every camera when nil) lasting `duration` (an instant
    /// when nil); returns the cameras triggered. Throws when the node is not running, for an
    /// unknown camera, or a duration beyond ``Recorder/longestManualTrigger``.
    @discardableResult
    public func trigger(camera: String? = nil, for duration: Duration? = nil) throws -> [String] {
        try recording().trigger(camera: camera, duration: duration)
    }

    /// A frame from `camera` no older than one second: the latest, or the next one it delivers
    /// within `timeout` (on the node's clock). Throws when the node is not running, for an
    /// unknown camera, or when no frame comes in time (the camera is lost).
    public func snapshot(camera: String, timeout: Duration = .seconds(10)) async throws -> CapturedFrame {
        let broadcast = try frameBroadcast(camera)
        _ = try recording()
        let clock = hardware.clock
        if let latest = broadcast.latest, latest.captureTime.duration(to: clock.now) <= .seconds(1) { return latest }
        let frames = broadcast.subscribe(bufferSize: 1)
        let frame = try await withThrowingTaskGroup(of: CapturedFrame?.self) { group in
            group.addTask {
                for await frame in frames { return frame }
                return nil
            }
            group.addTask {
                try await clock.sleep(until: clock.deadline(after: timeout), tolerance: nil)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let frame else {
            let state = status.cameras.first { $0.name == camera }
            throw NodeError(
                "camera \(camera) gave no frame within \(timeout.humanReadable)"
                    + (state?.lastError.map { " (camera lost: \($0))" } ?? ""))
        }
        return frame
    }

    /// Sets the IR illuminator: on, off, or auto (following the scene's brightness with the
    /// configuration's thresholds).
    public func setIlluminator(_ mode: NodeConfiguration.IRMode) throws {
        try recording().setIlluminator(try Self.illuminatorMode(mode, configuration.outputs))
    }

    // MARK: Running

    /// Records until ``stop()``, `duration` (on the node's clock: virtual on a simulated board)
    /// or cancellation; then shuts down in order. Run it once.
    public func run(for duration: Duration? = nil) async throws {
        let events = eventBroadcast.subscribe(bufferSize: Self.hookEventBuffer)
        let hardware = hardware
        do {
            try await record(for: duration, on: hardware, hooks: events)
        } catch {
            await shutDown()
            throw error
        }
        await shutDown()
    }

    /// Releases the lines (inputs, camera power, outputs), drains the hooks, ends every subscription and gives up the storage
    /// root's lock.
    private func shutDown() async {
        inputs.pir?.release()
        inputs.tamper?.release()
        for plan in plans.withLock({ $0.values }) { plan.power?.release() }
        for line in outputLines { line.release() }
        let unfinished = await hooks.shutdown(timeout: .seconds(5))
        if unfinished > 0 { logger.warning("\(unfinished) hook command\(unfinished == 1 ? "" : "s") still running at shutdown were ended") }
        finishBroadcasts()
        lock.withLock { $0 = nil }
    }

    private func record(for duration: Duration?, on hardware: NodeHardware, hooks events: Subscription<RecorderEvent>) async throws {
        try await hardware.run { [self] in
            let wallClock = WallClock(clock: hardware.clock)
            let storage = RecorderStorage(
                layout: layout, index: index, retention: configuration.retention, wallClock: wallClock, monitor: monitor)
            let observer = RecorderObserver(
                event: { [eventBroadcast] in eventBroadcast.publish($0) },
                frame: { [weak self] name, frame in self?.frameBroadcasts.withLock { $0[name] }?.publish(frame) })
            var cameras: [CameraRecorder] = []
            var ports: [String: AnySerialPort] = [:]
            do {
                for entry in configuration.cameras {
                    let (camera, port) = try await openCamera(entry, storage: storage, observer: observer)
                    ports[entry.name] = port
                    cameras.append(camera)
                }
            } catch {
                for port in ports.values { await port.close() }
                throw error
            }
            let recorder = Recorder(
                cameras: cameras, inputs: inputs, outputs: outputs, storage: storage, status: statusBoard, clock: hardware.clock,
                logger: logger, observer: observer)
            running.withLock { $0 = Running(recorder: recorder, storage: storage, observer: observer, ports: ports) }
            let server: ControlServer?
            do {
                server = options.controlSocket ? try ControlServer(path: layout.socketPath, handler: controlHandler()) : nil
            } catch {
                for port in ports.values { await port.close() }
                running.withLock { $0 = nil }
                throw NodeError("cannot serve \(layout.socketPath): \(error)")
            }
            let systemd = options.systemd ? SystemdService(status: statusBoard, logger: logger) : nil
            systemd?.ready("recording \(cameras.count) camera\(cameras.count == 1 ? "" : "s") to \(layout.root)")
            await withTaskGroup(of: Void.self) { consumers in
                consumers.addTask { await self.runHooks(events) }
                consumers.addTask {
                    for await request in self.reloads {
                        do {
                            request.answer(.success(try await self.apply(request.configuration)))
                        } catch {
                            request.answer(.failure(error))
                        }
                    }
                }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await recorder.run() }
                    group.addTask { await self.stopRequest.wait() }
                    if let duration {
                        group.addTask {
                            try? await hardware.clock.sleep(until: hardware.clock.deadline(after: duration), tolerance: nil)
                        }
                    }
                    await group.next()
                    group.cancelAll()
                }
                systemd?.stopping()
                server?.stop()
                reloadRequests.finish()
                let ports = running.withLock { running in
                    defer { running = nil }
                    return running?.ports.values.map { $0 } ?? []
                }
                for port in ports { await port.close() }
                finishBroadcasts()
                await consumers.waitForAll()
            }
        }
    }

    /// Asks a running node to stop: open movies and events are finished first.
    public func stop() { stopRequest.signal() }

    // MARK: Reloading

    /// What ``reload(_:)`` changed.
    public struct ReloadReport: Sendable, Hashable, CustomStringConvertible {
        public var added: [String] = []
        public var removed: [String] = []
        /// Cameras whose settings changed: each restarted (its open event ended, a new one
        /// begins at the next trigger).
        public var restarted: [String] = []
        /// Sections whose changes take effect only at the next start.
        public var atNextStart: [String] = []

        public var description: String {
            var parts: [String] = []
            if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
            if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
            if !restarted.isEmpty { parts.append("restarted \(restarted.joined(separator: ", "))") }
            if !atNextStart.isEmpty { parts.append("\(atNextStart.joined(separator: ", ")) take effect at the next start") }
            return parts.isEmpty ? "nothing changed" : parts.joined(separator: "; ")
        }
    }

    struct ReloadRequest: Sendable {
        let configuration: NodeConfiguration
        let answer: @Sendable (Result<ReloadReport, any Error>) -> Void
    }

    /// Applies a new configuration to the running node: cameras added, removed or changed
    /// (each changed one restarted) without touching the others' open events. The storage
    /// root cannot change; other sections take effect at the next start (the report says
    /// which). Throws when the node is not running or a camera cannot be opened (the cameras
    /// changed before it stay changed; the rest of the old configuration stays).
    public func reload(_ configuration: NodeConfiguration) async throws -> ReloadReport {
        _ = try recording()
        let result: Result<ReloadReport, any Error> = await withCheckedContinuation { continuation in
            let request = ReloadRequest(configuration: configuration) { continuation.resume(returning: $0) }
            if case .terminated = reloadRequests.yield(request) {
                continuation.resume(returning: .failure(NodeError("the node is stopping")))
            }
        }
        return try result.get()
    }

    /// Carries out a reload, from a task inside the running node (where a simulated board's
    /// ports live).
    private func apply(_ new: NodeConfiguration) async throws -> ReloadReport {
        guard let running = running.withLock({ $0 }) else { throw NodeError("the node is not recording") }
        let old = configuration
        guard new.storage == old.storage else {
            throw NodeError("the storage root cannot change while recording (\(old.storage ?? "?") to \(new.storage ?? "?")); restart the node")
        }
        var report = ReloadReport()
        let oldCameras = Dictionary(uniqueKeysWithValues: old.cameras.map { ($0.name, $0) })
        let newCameras = Dictionary(uniqueKeysWithValues: new.cameras.map { ($0.name, $0) })
        report.removed = old.cameras.map(\.name).filter { newCameras[$0] == nil }
        report.restarted = new.cameras.filter { camera in oldCameras[camera.name].map { $0 != camera } ?? false }.map(\.name)
        report.added = new.cameras.map(\.name).filter { oldCameras[$0] == nil }
        var later = new
        later.cameras = old.cameras
        later.storage = old.storage
        if later != old {
            report.atNextStart = NodeConfiguration.sectionsDiffering(old, new)
        }
        for name in report.removed {
            try await stopCamera(name, running: running)
            frameBroadcasts.withLock { $0.removeValue(forKey: name) }?.finish()
        }
        for name in report.restarted {
            guard let entry = newCameras[name], let previous = oldCameras[name] else { continue }
            try await stopCamera(name, running: running)
            do {
                try await startCamera(entry, running: running, requireHardware: old.requireHardware)
            } catch {
                // Back to what ran before, so that a bad setting costs no recording.
                do {
                    try await startCamera(previous, running: running, requireHardware: old.requireHardware)
                } catch let again {
                    logger.error("camera \(name) could not be restarted with its previous settings either: \(again)")
                    throw NodeError("camera \(name): \(error); its previous settings failed too (\(again)), so it is stopped")
                }
                throw NodeError("camera \(name): \(error); it keeps its previous settings")
            }
        }
        for name in report.added {
            guard let entry = newCameras[name] else { continue }
            frameBroadcasts.withLock { $0[name] = $0[name] ?? Broadcast(defaultBufferSize: options.frameBuffer) }
            do {
                try await startCamera(entry, running: running, requireHardware: old.requireHardware)
            } catch {
                frameBroadcasts.withLock { $0.removeValue(forKey: name) }?.finish()
                throw NodeError("camera \(name) not added: \(error)")
            }
        }
        // The configuration's order, for status and listings.
        current.withLock { configuration in
            configuration.cameras = new.cameras.filter { camera in configuration.cameras.contains { $0.name == camera.name } }
        }
        logger.notice("configuration reloaded: \(report)")
        return report
    }

    /// Stops a camera of the running node (its open event finished), closes its port and
    /// releases its power line.
    private func stopCamera(_ name: String, running: Running) async throws {
        try await running.recorder.remove(camera: name)
        if let port = self.running.withLock({ $0?.ports.removeValue(forKey: name) }) { await port.close() }
        plans.withLock { $0.removeValue(forKey: name) }?.power?.release()
        current.withLock { $0.cameras.removeAll { $0.name == name } }
    }

    /// Plans, opens and starts a camera on the running node.
    private func startCamera(_ entry: NodeConfiguration.Camera, running: Running, requireHardware: Bool) async throws {
        let plan = try Self.plan(entry, hardware: hardware, requireHardware: requireHardware)
        plans.withLock { $0[entry.name] = plan }
        do {
            let (camera, port) = try await openCamera(entry, storage: running.storage, observer: running.observer)
            self.running.withLock { $0?.ports[entry.name] = port }
            try running.recorder.add(camera)
            current.withLock { $0.cameras.append(entry) }
        } catch {
            plans.withLock { $0.removeValue(forKey: entry.name) }?.power?.release()
            throw error
        }
    }

    /// A camera's plan: its settings checked against the board, its power line taken.
    private static func plan(_ camera: NodeConfiguration.Camera, hardware: NodeHardware, requireHardware: Bool) throws
        -> NodeHardware.CameraPlan
    {
        try hardware.cameraPlan(
            port: camera.port, model: camera.model, baud: camera.baud, maxBaud: camera.maxBaud, verify: camera.verify,
            requirePower: requireHardware)
    }

    /// Opens `entry`'s camera by its plan and makes its pipeline (not yet running).
    private func openCamera(_ entry: NodeConfiguration.Camera, storage: RecorderStorage, observer: RecorderObserver) async throws
        -> (CameraRecorder, AnySerialPort)
    {
        guard let plan = plans.withLock({ $0[entry.name] }) else { throw NodeError("camera \(entry.name) has no plan") }
        // The driver checks each frame by decoding it through the detector's decoder, so
        // motion analysis finds the frame decoded already.
        let motion = detector?.forAnotherCamera()
        let (driver, port) = try await hardware.openCamera(plan, decoder: motion?.decoder)
        let configuration = configuration
        // On real hardware each camera's pipeline has a thread of its own (see CameraRecorder);
        // simulated cameras stay on the simulation's executor and its virtual time.
        let executor = hardware.backend == .linux ? try ThreadExecutor(target: "camera \(entry.name)") : nil
        let camera = CameraRecorder(
            name: entry.name, camera: driver, settings: CameraSettings(width: entry.width, height: entry.height, compression: entry.compression),
            clock: hardware.clock, events: configuration.events, useCameraMotion: configuration.triggers.cameraMotion, motion: motion,
            storage: storage, status: statusBoard, logger: logger, observer: observer, executor: executor)
        return (camera, port)
    }

    // MARK: Parts

    /// The hooks' buffer of events: the hook runner never blocks, so this only smooths bursts.
    static let hookEventBuffer = 4096

    private func recording() throws -> Recorder {
        guard let recorder = running.withLock({ $0?.recorder }) else { throw NodeError("the node is not recording yet") }
        return recorder
    }

    private func frameBroadcast(_ camera: String) throws -> Broadcast<CapturedFrame> {
        guard let broadcast = frameBroadcasts.withLock({ $0[camera] }) else {
            throw NodeError("no camera named '\(camera)'; cameras: \(cameraNames.joined(separator: ", "))")
        }
        return broadcast
    }

    private func finishBroadcasts() {
        eventBroadcast.finish()
        for broadcast in frameBroadcasts.withLock({ $0.values }) { broadcast.finish() }
    }

    /// The hooks, as a consumer of the node's events.
    private func runHooks(_ events: Subscription<RecorderEvent>) async {
        for await event in events {
            if let invocation = HookInvocation(event, storageRoot: layout.root),
                case .started = hooks.run(invocation.kind, environment: invocation.environment)
            {
                eventBroadcast.publish(.hookStarted(invocation.kind, at: Date()))
            }
        }
    }

    /// The control socket, as a consumer of the node's API.
    private func controlHandler() -> @Sendable (ControlRequest) -> ControlResponse {
        { [self] request in
            switch request.command {
            case .status:
                return ControlResponse(ok: true, status: status)
            case .trigger:
                do {
                    let duration = try request.seconds.map { seconds throws(NodeError) in
                        guard seconds.isFinite, seconds >= 0, seconds <= Recorder.longestManualTrigger.seconds else {
                            throw NodeError(
                                "'seconds' must be from 0 to \(Int(Recorder.longestManualTrigger.seconds)), not \(seconds)")
                        }
                        return Duration.milliseconds(Int64((seconds * 1000).rounded()))
                    }
                    return ControlResponse(ok: true, triggered: try trigger(camera: request.camera, for: duration))
                } catch {
                    return ControlResponse(ok: false, error: "\(error)")
                }
            }
        }
    }

    private static func describeLine(_ role: LogicalLine, on board: BoardDescription) -> String {
        board.lines[role].map { "\($0.chipLabel):\($0.offset)" } ?? "none"
    }

    /// The storage root, made if missing with owner-and-group-only permissions whatever the umask.
    private static func createStorageRoot(_ root: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw NodeError("the storage root \(root) is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: root)
        } catch {
            throw NodeError("cannot create the storage root \(root): \(error.localizedDescription)")
        }
    }

    /// The status LED and IR illuminator on the board's lines, as the configuration asks. A
    /// board without the line goes without the output; a line that cannot be had goes to
    /// `unavailable` (which fails start-up or lets the node run without it).
    private static func makeOutputs(
        _ settings: NodeConfiguration.Outputs, hardware: NodeHardware, logger: Logger,
        unavailable: (String, any Error) throws -> Void
    ) throws -> (Recorder.Outputs, [any LineRequest]) {
        var outputs = Recorder.Outputs()
        var lines: [any LineRequest] = []
        func request(_ role: LogicalLine) throws -> (any LineRequest)? {
            guard hardware.board.lines[role] != nil else { return nil }
            do {
                let line = try hardware.resolveLine(role.rawValue)
                let request = try line.chip.requestLines([line.offset], settings: line.settings, consumer: "vigil-record")
                lines.append(request)
                return request
            } catch {
                try unavailable("the \(role) line (\(describeLine(role, on: hardware.board)))", error)
                return nil
            }
        }
        if settings.statusLED, let line = try request(.statusLED) {
            outputs.statusLED = try StatusLED(line: line, pattern: .idle)
        }
        if let line = try request(.irLED) {
            outputs.illuminator = try Illuminator(line: line, mode: illuminatorMode(settings.ir, settings))
        }
        return (outputs, lines)
    }

    static func illuminatorMode(_ mode: NodeConfiguration.IRMode, _ settings: NodeConfiguration.Outputs) throws -> Illuminator.Mode {
        switch mode {
        case .off: .off
        case .on: .on
        case .auto: .auto(try Illuminator.DarknessThresholds(onBelow: settings.irOnBelow, offAbove: settings.irOffAbove))
        case .schedule:
            .schedule(
                try DailySchedule(
                    from: TimeOfDay(secondsSinceMidnight: settings.irFrom * 60), to: TimeOfDay(secondsSinceMidnight: settings.irTo * 60)))
        }
    }
}
