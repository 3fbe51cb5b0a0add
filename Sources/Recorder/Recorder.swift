import CameraDrivers
import EventStore
import Files
import Foundation
import HAL
import Logging
import Movies
import Peripherals
import Synchronization

/// A camera node's recorder: one ``CameraRecorder`` per camera, the board's PIR and tamper
/// lines as triggers, periodic retention and storage figures, and a live ``StatusBoard``.
public final class Recorder: Sendable {
    /// The board's input lines the recorder watches (each a request of one line).
    public struct Inputs: Sendable {
        public var pir: (any LineRequest)?
        public var tamper: (any LineRequest)?

        public init(pir: (any LineRequest)? = nil, tamper: (any LineRequest)? = nil) {
            self.pir = pir
            self.tamper = tamper
        }
    }

    /// The board's output devices the recorder drives.
    public struct Outputs: Sendable {
        /// Shows the recorder's state: idle, recording, camera lost.
        public var statusLED: StatusLED?
        /// Follows the scene's brightness (in auto mode) or its schedule.
        public var illuminator: Illuminator?

        public init(statusLED: StatusLED? = nil, illuminator: Illuminator? = nil) {
            self.statusLED = statusLED
            self.illuminator = illuminator
        }
    }

    /// The cameras being recorded now (``add(_:)`` and ``remove(camera:)`` change them).
    public var cameras: [CameraRecorder] { cameraSet.withLock { $0.map(\.recorder) } }
    private let cameraSet: Mutex<[(recorder: CameraRecorder, removal: StopSignal)]>
    private let additions: AsyncStream<(CameraRecorder, StopSignal)>
    private let addition: AsyncStream<(CameraRecorder, StopSignal)>.Continuation
    public let inputs: Inputs
    public let outputs: Outputs
    public let storage: RecorderStorage
    public let status: StatusBoard
    let clock: any HALClock
    let logger: Logger
    let observer: RecorderObserver
    /// Whether free space was below the policy's minimum at the last look (told once per dip).
    private let storageLow = Mutex(false)
    /// The last failure reading the storage figures (logged once until it changes).
    private let storageFailure = Mutex<String?>(nil)

    /// How often retention runs and storage figures are refreshed while recording.
    public static let housekeepingInterval = Duration.seconds(60)

    public init(
        cameras: [CameraRecorder], inputs: Inputs, outputs: Outputs = Outputs(), storage: RecorderStorage, status: StatusBoard,
        clock: any HALClock, logger: Logger, observer: RecorderObserver = .none
    ) {
        cameraSet = Mutex(cameras.map { ($0, StopSignal()) })
        (additions, addition) = AsyncStream.makeStream(of: (CameraRecorder, StopSignal).self)
        self.inputs = inputs
        self.outputs = outputs
        self.storage = storage
        self.status = status
        self.clock = clock
        self.logger = logger
        self.observer = observer
        storage.monitor.setReporter { [storage, status, logger, observer, clock] old, new in
            let now = storage.wallClock.date(at: clock.now)
            let message: String
            if let new {
                message = "\(new)"
                logger.error("\(message)")
            } else {
                message = "storage \(storage.layout.root) is writable again (\(old?.kind ?? "fault") over): recording resumes"
                logger.notice("\(message)")
            }
            status.noteError(message, at: now)
            status.update { $0.storage?.fault = new.map { "\($0)" } }
            observer.event(.error(camera: nil, message: message, at: now))
        }
    }

    /// Makes the index agree with the files on disk (movies left unfinished by a crash are
    /// repaired, files without rows adopted, rows without files dropped). Call before ``run()``.
    @discardableResult
    public static func reconcile(layout: StorageLayout, index: EventIndex) throws(EventStoreError) -> ReconcileReport {
        try index.reconcile(
            layout: layout,
            probe: { path in
                guard let summary = try? MovieProbe.summary(of: path) else { return nil }
                return (summary.frames, summary.bytes, summary.duration.seconds)
            },
            repair: { partial in
                let path = String(partial.dropLast(StorageLayout.partialSuffix.count))
                do {
                    _ = try MovieRepair.finish(partial: partial, to: path)
                    return path
                } catch {
                    // A movie begun but given no frame (killed right after opening it) holds
                    // nothing: it goes, and its row with it. Anything else stays to be retried.
                    if MovieRepair.holdsNoFrame(partial) { FileSystem.removeIfPresent(partial) }
                    return nil
                }
            })
    }

    /// Records until the task is cancelled; then every open movie and event is finished.
    public func run() async {
        let started = storage.wallClock.date(at: clock.now)
        status.update { status in
            status.source = "recorder"
            status.pid = getpid()
            status.started = started
        }
        refreshStorage()
        await withTaskGroup(of: Void.self) { group in
            for (camera, removal) in cameraSet.withLock({ $0 }) {
                group.addTask { await self.record(camera, until: removal) }
            }
            if let pir = inputs.pir {
                group.addTask { await self.watch(pir, role: "pir", source: .pir, span: true) }
            }
            if let tamper = inputs.tamper {
                group.addTask { await self.watch(tamper, role: "tamper", source: .tamper, span: false) }
            }
            group.addTask { await self.housekeeping() }
            if outputs.statusLED != nil || outputs.illuminator != nil {
                group.addTask { await self.driveOutputs() }
            } else {
                // No outputs loop: the status shows the pattern as the cameras' states change.
                status.showStatusLEDPattern()
            }
            // Cameras added while recording; the stream ends when this task is cancelled.
            for await (camera, removal) in additions {
                group.addTask { await self.record(camera, until: removal) }
            }
            group.cancelAll()
        }
        refreshStorage()
    }

    /// Starts recording `camera` beside the others (its name must be new).
    public func add(_ camera: CameraRecorder) throws(RecorderError) {
        let removal = StopSignal()
        try cameraSet.withLock { (set) throws(RecorderError) in
            guard !set.contains(where: { $0.recorder.name == camera.name }) else {
                throw RecorderError("a camera named '\(camera.name)' is recording already")
            }
            set.append((camera, removal))
        }
        addition.yield((camera, removal))
    }

    /// Stops recording `camera` (its open movie and event are finished) and returns once it
    /// has stopped; the others go on. Throws for an unknown camera.
    public func remove(camera name: String) async throws(RecorderError) {
        guard let entry = cameraSet.withLock({ $0.first { $0.recorder.name == name } }) else {
            throw RecorderError("no camera named '\(name)'")
        }
        entry.removal.signal()
        await entry.recorder.stopped.wait()
    }

    /// Records `camera` until the node stops or the camera is removed; then it leaves the set.
    private func record(_ camera: CameraRecorder, until removal: StopSignal) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await camera.run() }
            group.addTask { await removal.wait() }
            await group.next()
            group.cancelAll()
        }
        if removal.isSignalled {
            cameraSet.withLock { $0.removeAll { $0.recorder === camera } }
            status.update { $0.cameras.removeAll { $0.name == camera.name } }
        }
        camera.stopped.signal()
    }

    /// The longest manual trigger taken: a day.
    public static let longestManualTrigger = Duration.seconds(86_400)

    /// A manual trigger for `camera` (every camera when nil), lasting `duration` (an instant
    /// when nil). Returns the cameras triggered; throws for an unknown camera or a duration
    /// that is not between zero and ``longestManualTrigger``.
    @discardableResult
    public func trigger(camera: String? = nil, duration: Duration? = nil) throws(RecorderError) -> [String] {
        if let camera, !cameras.contains(where: { $0.name == camera }) {
            throw RecorderError("no camera named '\(camera)'; cameras: \(cameras.map(\.name).joined(separator: ", "))")
        }
        if let duration, duration < .zero || duration > Self.longestManualTrigger {
            throw RecorderError("a manual trigger lasts from 0 to \(Self.longestManualTrigger.humanReadable), not \(duration)")
        }
        let now = clock.now
        let chosen = cameras.filter { camera == nil || $0.name == camera }
        for recorder in chosen {
            if let duration, duration > .zero {
                recorder.trigger(Trigger(.manual, at: now, phase: .began))
                recorder.trigger(Trigger(.manual, at: now.advanced(by: duration), phase: .ended))
            } else {
                recorder.trigger(Trigger(.manual, at: now))
            }
        }
        logger.notice("manual trigger", metadata: ["cameras": "\(chosen.map(\.name).joined(separator: ","))"])
        return chosen.map(\.name)
    }

    /// Sets the IR illuminator's mode; throws when the node has none or its line fails.
    public func setIlluminator(_ mode: Illuminator.Mode) throws(RecorderError) {
        guard let illuminator = outputs.illuminator else {
            throw RecorderError("this node has no IR illuminator (the board has no ir-led line, or it is not available)")
        }
        do {
            try illuminator.setMode(mode)
        } catch {
            throw RecorderError("IR illuminator: \(error)")
        }
        logger.notice("IR illuminator mode set", metadata: ["mode": "\(mode)"])
    }

    /// The status now, with fresh storage figures and the uptime.
    public func currentStatus() -> RecorderStatus {
        refreshStorage()
        var current = status.current
        current.uptimeSeconds = current.started.map { storage.wallClock.date(at: clock.now).timeIntervalSince($0) }
        return current
    }

    /// Turns a line's edges into triggers for every camera: a span while the line is active
    /// (PIR), or an instant when it becomes active (tamper).
    private func watch(_ line: any LineRequest, role: String, source: TriggerSource, span: Bool) async {
        let initial = (try? line.values().first) ?? false
        status.update { $0.gpio[role] = initial }
        if initial, span {
            for camera in cameras { camera.trigger(Trigger(source, at: clock.now, phase: .began)) }
        }
        do {
            for try await edge in line.edgeEvents {
                status.update { $0.gpio[role] = edge.value }
                if edge.value, source == .tamper {
                    logger.warning("tamper switch opened")
                    note("tamper switch opened", at: storage.wallClock.date(at: edge.timestamp))
                }
                let phase: Trigger.Phase = span ? (edge.value ? .began : .ended) : .instant
                guard span || edge.value else { continue }
                for camera in cameras { camera.trigger(Trigger(source, at: edge.timestamp, phase: phase)) }
            }
        } catch {
            guard !Task.isCancelled else { return }
            logger.error("watching the \(role) line: \(error)")
            note("\(role) line: \(error)", at: storage.wallClock.date(at: clock.now))
        }
    }

    /// What the status LED shows for the cameras' states: the worst of them.
    static func statusLEDPattern(for states: [RecorderStatus.State]) -> BlinkPattern {
        states.contains(.cameraLost) ? .cameraLost : states.contains(.recording) ? .recording : states.contains(.idle) ? .idle : .off
    }

    /// How often the outputs follow the recorder's state.
    static let outputInterval = Duration.milliseconds(250)

    /// Runs the LED's and illuminator's own loops, and keeps them following the state: the LED
    /// shows the worst of the cameras' states, the illuminator takes the darkest camera's
    /// brightness.
    private func driveOutputs() async {
        await withTaskGroup(of: Void.self) { group in
            if let led = outputs.statusLED {
                group.addTask { await self.report("status LED") { () throws(HALError) in try await led.run() } }
            }
            if let illuminator = outputs.illuminator {
                group.addTask { await self.report("IR illuminator") { () throws(HALError) in try await illuminator.run() } }
            }
            group.addTask {
                var lastBrightness: [String: Double] = [:]
                while !Task.isCancelled {
                    let current = self.status.current
                    let pattern = Self.statusLEDPattern(for: current.cameras.map(\.state))
                    if let led = self.outputs.statusLED { led.setPattern(pattern) }
                    if let illuminator = self.outputs.illuminator {
                        let readings = Dictionary(uniqueKeysWithValues: current.cameras.compactMap { camera in camera.brightness.map { (camera.name, $0) } })
                        if readings != lastBrightness, let darkest = readings.values.min() {
                            do { try illuminator.observe(luma: darkest) } catch { self.logger.error("IR illuminator: \(error)") }
                        }
                        lastBrightness = readings
                    }
                    self.status.update { status in
                        status.statusLED = pattern.description
                        if let led = self.outputs.statusLED, let lit = led.isLit { status.gpio["status-led"] = lit }
                        if let illuminator = self.outputs.illuminator { status.gpio["ir-led"] = illuminator.isOn }
                    }
                    do { try await self.clock.sleep(until: self.clock.deadline(after: Self.outputInterval), tolerance: nil) } catch { return }
                }
            }
            // Each returns when cancelled (an output whose line failed returns early, logged).
            await group.waitForAll()
        }
    }

    /// Runs an output's loop, logging (not propagating) its failure.
    private func report(_ what: String, _ body: () async throws(HALError) -> Void) async {
        do {
            try await body()
        } catch {
            guard !Task.isCancelled else { return }
            logger.error("\(what): \(error)")
            note("\(what): \(error)", at: storage.wallClock.date(at: clock.now))
        }
    }

    /// Every ``housekeepingInterval``: a look at the storage (a fault nobody met yet), retention
    /// and the storage figures; while the storage is faulted, a recovery attempt every
    /// ``StorageMonitor/retryInterval`` instead.
    private func housekeeping() async {
        while !Task.isCancelled {
            let faulted = !storage.monitor.isWritable
            let interval = faulted ? StorageMonitor.retryInterval : Self.housekeepingInterval
            do { try await clock.sleep(until: clock.deadline(after: interval), tolerance: nil) } catch { return }
            if faulted {
                let layout = storage.layout
                let index = storage.index
                // A full index on a full disk: retention frees files (their rows go once it can write).
                if case .indexFull = storage.monitor.fault { enforceRetention() }
                let back = storage.monitor.recover(index: index) { () throws(EventStoreError) in
                    let report = try Self.reconcile(layout: layout, index: index)
                    if !report.isClean { logger.notice("index caught up with the files on disk", metadata: ["report": "\(report)"]) }
                }
                if back { refreshStorage() }
                continue
            }
            if let fault = storage.monitor.probe() {
                storage.monitor.enter(fault)
                continue
            }
            enforceRetention()
            refreshStorage()
        }
    }

    /// Applies the retention policy, sparing the events being recorded.
    private func enforceRetention() {
        guard storage.retention != .keepEverything else { return }
        let protecting = Set(status.current.cameras.compactMap { $0.currentEvent?.id })
        do {
            let now = storage.wallClock.date(at: clock.now)
            let result = try Retention.enforce(
                policy: storage.retention, index: storage.index, layout: storage.layout, now: now, protecting: protecting)
            if !result.deletedEvents.isEmpty {
                observer.event(.retention(deletedEvents: result.deletedEvents.count, freedBytes: result.freedBytes, at: now))
            }
        } catch {
            logger.error("retention: \(error)")
            note("retention: \(error)", at: storage.wallClock.date(at: clock.now))
        }
    }

    /// A failure the recorder survives, in the status's recent errors and told to observers.
    private func note(_ message: String, at date: Date) {
        status.noteError(message, at: date)
        observer.event(.error(camera: nil, message: message, at: date))
    }

    /// Reads the storage figures into the status. A figure that cannot be read is left out,
    /// logged and noted once (until the failure changes); free space below the retention
    /// policy's minimum is told once per dip.
    private func refreshStorage() {
        var failures: [String] = []
        func read<T>(_ what: String, _ body: () throws -> T) -> T? {
            do { return try body() } catch {
                failures.append("\(what): \(error)")
                return nil
            }
        }
        // While the storage is faulted the index is left alone: the last figures stay.
        let fault = storage.monitor.fault
        guard fault == nil else {
            status.update { status in
                if status.storage == nil {
                    status.storage = RecorderStatus.Storage(root: storage.layout.root, usedBytes: 0, freeBytes: nil, events: 0)
                }
                status.storage?.fault = fault.map { "\($0)" }
            }
            return
        }
        let used = read("index size") { try storage.index.totalBytes() }
        let free = read("free space") { try FileSystem.freeSpace(at: storage.layout.root) }
        let events = read("event count") { try storage.index.eventCount() }
        status.update {
            $0.storage = RecorderStatus.Storage(root: storage.layout.root, usedBytes: used ?? 0, freeBytes: free, events: events ?? 0)
        }
        let now = storage.wallClock.date(at: clock.now)
        let failure = failures.isEmpty ? nil : "storage figures: " + failures.joined(separator: "; ")
        if storageFailure.withLock({ last in defer { last = failure }; return last != failure }), let failure {
            logger.error("\(failure)")
            note(failure, at: now)
        }
        if let free, let minimum = storage.retention.minFreeBytes {
            let low = free < minimum
            if storageLow.withLock({ was in defer { was = low }; return low && !was }) {
                logger.warning("storage low", metadata: ["free": "\(free)", "minimum": "\(minimum)"])
                observer.event(.storageLow(freeBytes: free, minimumBytes: minimum, at: now))
            }
        }
    }
}
