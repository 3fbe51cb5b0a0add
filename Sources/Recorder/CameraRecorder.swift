import CameraDrivers
import EventStore
import Foundation
import HAL
import Logging
import Synchronization

/// Where and how a recorder keeps what it records.
public struct RecorderStorage: Sendable {
    public var layout: StorageLayout
    public var index: EventIndex
    public var retention: RetentionPolicy
    public var wallClock: WallClock
    /// The storage's faults, shared by every pipeline writing to `layout`'s root.
    public var monitor: StorageMonitor

    /// - Parameter monitor: nil for a new one on `layout` (not claimed: only a missing root is
    ///   found before writing).
    public init(
        layout: StorageLayout, index: EventIndex, retention: RetentionPolicy, wallClock: WallClock, monitor: StorageMonitor? = nil
    ) {
        self.layout = layout
        self.index = index
        self.retention = retention
        self.wallClock = wallClock
        self.monitor = monitor ?? StorageMonitor(layout: layout)
    }
}

/// One camera's pipeline: captures frames as fast as the camera gives them, feeds them and the
/// triggers to an ``EventMachine``, and writes what it decides through an ``EventWriter``.
/// Reconnects (with back-off) when the camera stops answering; an open event ends then.
public final class CameraRecorder: Sendable {
    public let name: String
    public let camera: any Camera
    let settings: CameraSettings?
    let clock: any HALClock
    let events: EventMachine<CapturedFrame>.Settings
    let useCameraMotion: Bool
    let motion: MotionDetector?
    public let storage: RecorderStorage
    let status: StatusBoard
    let observer: RecorderObserver
    let logger: Logger
    let executor: (any TaskExecutor)?
    private let inbox = Mutex<[Trigger]>([])
    /// Signalled when ``run()`` has returned (its open movie and event finished).
    let stopped = StopSignal()

    /// The longest wait between reconnection attempts.
    static let maximumBackoff = Duration.seconds(30)
    /// How many recent frames the frame rate is measured over.
    static let rateWindow = 10

    /// - Parameters:
    ///   - settings: applied after each connection where the camera differs from them.
    ///   - motion: software motion detection on every frame (its brightness reading feeds the
    ///     status and the IR illuminator), or nil for none.
    ///   - useCameraMotion: turn on the camera's own motion detection and take its reports as
    ///     triggers.
    ///   - observer: told every frame and every ``RecorderEvent`` (from the pipeline's task).
    ///   - executor: where the pipeline runs (its serial reads resume there, and its JPEG
    ///     decoding, motion analysis, movie, snapshot and index writes run there): a thread of
    ///     its own (``ThreadExecutor``) keeps that work off Swift's cooperative pool and the
    ///     camera's reads from waiting for a thread of it; nil to run where ``run()`` is called
    ///     (on virtual time in simulation).
    public init(
        name: String, camera: any Camera, settings: CameraSettings? = nil, clock: any HALClock, events: EventMachine<CapturedFrame>.Settings,
        useCameraMotion: Bool, motion: MotionDetector?, storage: RecorderStorage,
        status: StatusBoard, logger: Logger, observer: RecorderObserver = .none, executor: (any TaskExecutor)? = nil
    ) {
        self.executor = executor
        self.name = name
        self.camera = camera
        self.settings = settings
        self.clock = clock
        self.events = events
        self.useCameraMotion = useCameraMotion
        self.motion = motion
        self.storage = storage
        self.status = status
        self.logger = logger
        self.observer = observer
    }

    /// Hands the pipeline a trigger; it applies at the next frame. Safe from any task or thread.
    public func trigger(_ trigger: Trigger) {
        inbox.withLock { $0.append(trigger) }
    }

    /// Records until the task is cancelled, then finishes the open movie and event.
    public func run() async {
        await withTaskExecutorPreference(executor) {
            await runPipeline()
        }
    }

    private func runPipeline() async {
        await withTaskGroup(of: Void.self) { group in
            if useCameraMotion {
                group.addTask { [camera] in
                    for await event in camera.motionEvents {
                        self.trigger(Trigger(.cameraMotion, at: event.time))
                    }
                }
            }
            await capture()
            group.cancelAll()
        }
    }

    private func capture() async {
        var machine = EventMachine<CapturedFrame>(settings: events)
        var detector = motion
        let writer = EventWriter(
            camera: name, layout: storage.layout, index: storage.index, retention: storage.retention,
            wallClock: storage.wallClock, monitor: storage.monitor, movies: events.movies, logger: logger, emit: observer.event)
        var recentCaptures: [MonotonicInstant] = []
        var failures = 0
        var warned: Set<String> = []
        var health = CameraHealth(camera: name, connected: false, errors: 0, reconnects: 0, lastError: nil, lastFrame: nil, updated: Date())

        func carryOut(_ actions: [EventMachine<CapturedFrame>.Action]) {
            for action in actions { writer.perform(action) }
            publish(writer.report, errors: writer.takeErrors(), recording: machine.isRecording)
        }

        while !Task.isCancelled {
            do {
                var info = try await camera.connect()
                if let settings, settings.width.map({ $0 != info.width }) ?? false || settings.height.map({ $0 != info.height }) ?? false
                    || settings.compression.map({ $0 != info.compression }) ?? false
                {
                    try await camera.configure(settings)
                    info = try await camera.info()
                }
                if useCameraMotion && camera.detectsMotion { try await camera.setMotionDetection(true) }
                if failures > 0 {
                    health.reconnects += 1
                    detector?.reset()
                    observer.event(.cameraRecovered(camera: name, at: storage.wallClock.date(at: clock.now)))
                }
                failures = 0
                health.connected = true
                record(&health)
                status.updateCamera(name) { camera in
                    camera.connected = true
                    camera.state = machine.isRecording ? .recording : .idle
                    camera.model = info.model
                    camera.port = info.port
                    camera.baud = info.baud
                    camera.width = info.width
                    camera.height = info.height
                    camera.reconnects = health.reconnects
                }
                logger.info("camera connected", metadata: ["camera": "\(name)", "model": "\(info.model)", "baud": "\(info.baud)"])
                for warning in info.warnings where warned.insert(warning).inserted {
                    logger.warning("\(warning)", metadata: ["camera": "\(name)"])
                }
                for try await frame in camera.frames() {
                    for trigger in inbox.withLock({ pending in defer { pending.removeAll() }; return pending }) {
                        machine.trigger(trigger)
                    }
                    // A frame that does not decode was refused by the driver's checks already;
                    // one that slips through only goes without motion detection.
                    let analysis = try? detector?.analyse(jpeg: frame.jpeg)
                    carryOut(machine.frame(frame, captureTime: frame.captureTime, motion: analysis?.motion ?? false))
                    observer.frame(name, frame)
                    recentCaptures.append(frame.captureTime)
                    if recentCaptures.count > Self.rateWindow { recentCaptures.removeFirst() }
                    let rate = recentCaptures.count > 1
                        ? Double(recentCaptures.count - 1) / recentCaptures[0].duration(to: recentCaptures[recentCaptures.count - 1]).seconds
                        : 0
                    let date = storage.wallClock.date(at: frame.captureTime)
                    status.updateCamera(name) { camera in
                        camera.frames += 1
                        camera.rereads += frame.retries
                        camera.framesPerSecond = rate.isFinite ? rate : 0
                        camera.lastFrame = date
                        if let analysis { camera.brightness = analysis.meanLuma }
                    }
                }
            } catch where error.kind == .cancelled {
                break
            } catch {
                if Task.isCancelled { break }
                failures += 1
                health.connected = false
                health.errors += 1
                health.lastError = "\(error)"
                record(&health)
                carryOut(machine.finish())
                let message = "camera \(name): \(error)"
                logger.error("\(message)")
                let now = storage.wallClock.date(at: clock.now)
                status.noteError(message, at: now)
                if failures == 1 { observer.event(.cameraLost(camera: name, error: "\(error)", at: now)) }
                status.updateCamera(name) { camera in
                    camera.connected = false
                    camera.state = .cameraLost
                    camera.errors = health.errors
                    camera.lastError = "\(error)"
                }
                let backoff = min(Self.maximumBackoff, .seconds(1 << min(failures - 1, 5)))
                do { try await clock.sleep(until: clock.deadline(after: backoff), tolerance: nil) } catch { break }
            }
        }
        carryOut(machine.finish())
        health.connected = false
        record(&health)
        status.updateCamera(name) { $0.state = .stopped; $0.connected = false }
    }

    private func record(_ health: inout CameraHealth) {
        health.updated = storage.wallClock.date(at: clock.now)
        // The index is left alone while the storage is faulted (the recorder says why).
        guard storage.monitor.isWritable else { return }
        do {
            try storage.index.recordHealth(health)
        } catch {
            if storage.monitor.fault(for: error).map({ storage.monitor.enter($0) }) != true {
                logger.error("record camera health: \(error)")
            }
        }
    }

    private func publish(_ report: EventWriter.Report, errors: [String], recording: Bool) {
        status.updateCamera(name) { camera in
            camera.state = recording ? .recording : (camera.connected ? .idle : .cameraLost)
            camera.currentEvent = report.event.map {
                RecorderStatus.EventSummary($0, movie: report.movie, frames: report.eventFrames, bytes: report.eventBytes)
            }
            camera.lastEvent = report.lastEvent.map { RecorderStatus.EventSummary($0) }
        }
        for error in errors {
            let now = storage.wallClock.date(at: clock.now)
            status.noteError("camera \(name): \(error)", at: now)
            observer.event(.error(camera: name, message: error, at: now))
        }
    }
}
