import CameraDrivers
import EventStore
import Files
import Foundation
import HAL
import Logging
import Movies

/// Carries out an ``EventMachine``'s actions for one camera: movies through ``MovieWriter``, the
/// event's snapshot, rows in the ``EventIndex``, retention after each movie; each step is told
/// as a ``RecorderEvent``. Without movies (``EventMachine/Settings/movies`` false) an event has
/// its row and its snapshot only: no ``MovieWriter`` is ever made (the Matroska plug-in is not
/// loaded), the event's bytes are its snapshot's, and retention runs after each event.
///
/// Nothing here stops recording: a failure is logged, counted in ``errors`` and survived. A
/// full disk closes the movie with the frames it holds, frees space by the retention policy
/// and opens a new movie of the same event once writing works again.
///
/// Not `Sendable`: one task owns it (it holds a ``MovieWriter``).
final class EventWriter {
    /// What the writer tells the rest of the recorder.
    struct Report: Sendable {
        var event: EventRecord?
        var movie: String?
        var eventFrames = 0
        var eventBytes: Int64 = 0
        var lastEvent: EventRecord?
    }

    let camera: String
    let layout: StorageLayout
    let index: EventIndex
    let retention: RetentionPolicy
    let wallClock: WallClock
    let monitor: StorageMonitor
    let emit: (RecorderEvent) -> Void
    let logger: Logger
    /// Whether events are recorded as movies (else as snapshots only).
    let movies: Bool
    private(set) var report = Report()
    private var newErrors: [String] = []

    /// The failures since the last call.
    func takeErrors() -> [String] {
        defer { newErrors.removeAll() }
        return newErrors
    }

    private var writer: MovieWriter? {
        didSet {
            if oldValue == nil, writer != nil { monitor.writerOpened() }
            if oldValue != nil, writer == nil { monitor.writerClosed() }
        }
    }
    private var movieID: Int64?
    private var movieFirst: MonotonicInstant?
    private var movieBytes: Int64 = 0
    private var snapshot: String?
    private var pendingMovie: MonotonicInstant?
    /// After a write failure, when to try a new movie again.
    private var retryAfter: MonotonicInstant?
    /// The monitor's recoveries when last looked at.
    private var recoveriesSeen = 0
    /// The latest capture time seen: the writer's "now".
    private var latest = MonotonicInstant.zero

    /// How long after a write failure (a full disk) a new movie is tried.
    static let retryInterval = Duration.seconds(5)

    init(
        camera: String, layout: StorageLayout, index: EventIndex, retention: RetentionPolicy, wallClock: WallClock,
        monitor: StorageMonitor? = nil, movies: Bool = true, logger: Logger, emit: @escaping (RecorderEvent) -> Void = { _ in }
    ) {
        self.monitor = monitor ?? StorageMonitor(layout: layout)
        self.movies = movies
        self.camera = camera
        self.layout = layout
        self.index = index
        self.retention = retention
        self.wallClock = wallClock
        self.logger = logger
        self.emit = emit
    }

    /// Carries out `action`.
    func perform(_ action: EventMachine<CapturedFrame>.Action) {
        switch action {
        case .beginEvent(let start, let triggers):
            beginEvent(start: start, triggers: triggers)
        case .addTriggers(let triggers):
            guard let id = report.event?.id else { return }
            for trigger in triggers.map(\.rawValue).sorted() {
                if id >= 0, monitor.isWritable {
                    attempt("add trigger \(trigger) to event \(id)") { () throws(EventStoreError) in
                        try index.addTrigger(eventID: id, trigger)
                    }
                }
                report.event?.triggers.append(trigger)
            }
            if let event = report.event { emit(.eventUpdated(event)) }
        case .beginMovie(let first):
            pendingMovie = first
        case .write(let frame, let captureTime, let motion):
            if movies {
                write(frame, at: captureTime, motion: motion)
            } else {
                takeSnapshot(frame, at: captureTime, motion: motion)
            }
        case .endMovie:
            endMovie()
        case .endEvent(let end, _):
            endEvent(end: end)
            if !movies { enforceRetention() }
        }
    }

    // MARK: Events

    private func beginEvent(start: MonotonicInstant, triggers: Set<TriggerSource>) {
        let date = wallClock.date(at: start)
        let names = triggers.map(\.rawValue).sorted()
        report.eventFrames = 0
        report.eventBytes = 0
        snapshot = nil
        report.event = EventRecord(
            id: -1, camera: camera, start: date, end: nil, triggers: names, frames: 0, bytes: 0, snapshot: nil, state: .recording)
        // While the storage is faulted the event has no row yet: it gets one with its first
        // movie once the storage is back (see `adoptEvent`).
        if monitor.isWritable { adoptEvent(announce: false) }
        logger.info("event begins", metadata: ["camera": "\(camera)", "triggers": "\(names.joined(separator: ","))"])
        if let event = report.event { emit(.eventStarted(event)) }
    }

    private func endEvent(end: MonotonicInstant) {
        guard var event = report.event else { return }
        event.end = wallClock.date(at: end)
        event.frames = report.eventFrames
        event.bytes = report.eventBytes
        event.snapshot = snapshot
        event.state = .finished
        if event.id >= 0, monitor.isWritable {
            attempt("finish event \(event.id)") { () throws(EventStoreError) in
                try index.finishEvent(
                    id: event.id, end: event.end ?? event.start, frames: event.frames, bytes: event.bytes,
                    snapshot: snapshot)
            }
        }
        logger.info(
            "event ends",
            metadata: ["camera": "\(camera)", "frames": "\(event.frames)", "bytes": "\(event.bytes)"])
        report.lastEvent = event
        report.event = nil
        emit(.eventEnded(event))
    }

    // MARK: Movies

    private func write(_ frame: CapturedFrame, at time: MonotonicInstant, motion: Bool) {
        latest = max(latest, time)
        if let fault = monitor.fault ?? (writer == nil ? monitor.examine() : nil) {
            // Nothing is written until the storage is back; the event goes on and continues
            // in a new movie then.
            monitor.enter(fault)
            closeMovie(for: fault)
            pendingMovie = nil
            return
        }
        if let writer, writer.width != frame.width || writer.height != frame.height {
            // The camera was reconfigured: a movie has one frame size.
            endMovie()
            pendingMovie = time
        }
        if writer == nil {
            if let retryAfter, time < retryAfter { return }
            openMovie(first: pendingMovie ?? time, width: frame.width, height: frame.height)
            guard writer != nil else { return }
        }
        guard let writer, let first = movieFirst else { return }
        do {
            try writer.append(jpeg: frame.jpeg, at: first.duration(to: max(time, first)))
            movieBytes += Int64(frame.jpeg.count)
            report.eventFrames += 1
            report.eventBytes += Int64(frame.jpeg.count)
        } catch where error.kind == .invalidFrame || error.kind == .timestampOrder {
            fail("frame refused by the movie writer: \(error)")
            return
        } catch {
            if !noteStorageFault(error) { fail("write \(writer.partialPath): \(error)") }
            salvageMovie(after: error, at: time)
            return
        }
        if motion, snapshot == nil { writeSnapshot(frame) }
    }

    /// Without movies: the event's first frame with `motion` becomes its snapshot; nothing else
    /// is written.
    private func takeSnapshot(_ frame: CapturedFrame, at time: MonotonicInstant, motion: Bool) {
        latest = max(latest, time)
        guard motion, snapshot == nil else { return }
        if let fault = monitor.fault ?? monitor.examine() {
            // Tried again at the event's next frame with motion.
            monitor.enter(fault)
            return
        }
        catchUpEventRow()
        writeSnapshot(frame)
    }

    private func openMovie(first: MonotonicInstant, width: Int, height: Int) {
        pendingMovie = nil
        let date = wallClock.date(at: first)
        catchUpEventRow()
        do {
            try layout.createDirectory(camera: camera, start: date)
            let path = try layout.moviePath(camera: camera, start: date)
            let writer = try MovieWriter(
                path: path, width: width, height: height,
                metadata: ["camera": camera, "event": "\(report.event?.id ?? -1)", "start": date.formatted(.iso8601)])
            self.writer = writer
            movieFirst = first
            movieBytes = 0
            retryAfter = nil
            report.movie = path
            if let event = report.event, event.id >= 0 {
                movieID = try index.addMovie(eventID: event.id, path: path, start: date).id
            }
        } catch {
            if noteStorageFault(error) { return }
            fail("open movie: \(error)")
            retryAfter = first.advanced(by: Self.retryInterval)
            if let writer { writer.abandon() }
            writer = nil
            enforceRetention()
        }
    }

    /// Closes the open movie when the storage fails: finished where the files are still there
    /// (the index catches up at recovery), left as a crash leaves it when the root or its mount
    /// is gone (nothing may be written under a vanished mount; reconcile repairs it later).
    private func closeMovie(for fault: StorageFault) {
        guard let writer else { return }
        switch fault {
        case .readOnly, .indexFull:
            endMovie()
        case .missing, .unmounted:
            self.writer = nil
            movieFirst = nil
            movieID = nil
            report.movie = nil
            writer.abandon()
        }
    }

    /// Before the event's first file after the storage came back: the index was caught up with
    /// the files meanwhile (an event row without files was dropped), so the event gets its row
    /// again where it has none.
    private func catchUpEventRow() {
        if monitor.recoveries != recoveriesSeen {
            recoveriesSeen = monitor.recoveries
            if let id = report.event?.id, id >= 0 {
                do {
                    if try index.event(id: id) == nil { report.event?.id = -1 }
                } catch {
                    fail("read event \(id): \(error)")
                }
            }
        }
        if let event = report.event, event.id < 0 { adoptEvent(announce: true) }
    }

    /// Gives the open event its row (after the storage came back, or when it began).
    private func adoptEvent(announce: Bool) {
        guard let event = report.event, event.id < 0 else { return }
        do {
            let row = try index.beginEvent(camera: camera, start: event.start, triggers: event.triggers)
            report.event?.id = row.id
            if announce, let event = report.event { emit(.eventUpdated(event)) }
        } catch {
            // Recording goes on without a row; reconcile adopts the files.
            if monitor.fault(for: error).map({ monitor.enter($0) }) != true { fail("begin event: \(error)") }
        }
    }

    /// Enters the storage fault `error` means, if any; returns whether the monitor took it
    /// (it reports it, once; the caller reports the failure itself otherwise).
    private func noteStorageFault(_ error: any Error) -> Bool {
        if let error = error as? EventStoreError, let fault = monitor.fault(for: error) {
            return monitor.enter(fault) || monitor.fault?.kind == fault.kind
        }
        // A failure the storage may be behind (a read-only file system shows as an I/O error
        // from the movie writer): the monitor's probe decides.
        let suspect =
            switch error {
            case let error as FileError: error.kind == .readOnly || error.kind == .notFound || error.kind == .io
            case let error as MovieError: error.kind == .io || error.kind == .notFound
            case let error as EventStoreError: error.kind == .notFound || error.kind == .io || error.kind == .fileSystem
            default: false
            }
        guard suspect, let fault = monitor.probe() else { return false }
        return monitor.enter(fault) || monitor.fault?.kind == fault.kind
    }

    private func endMovie() {
        pendingMovie = nil
        guard let writer, let first = movieFirst else { return }
        self.writer = nil
        movieFirst = nil
        do {
            let summary = try writer.finish()
            recordFinished(summary, first: first)
        } catch {
            if !noteStorageFault(error) { fail("finish \(writer.path): \(error)") }
            if monitor.isWritable { salvage(partial: writer.partialPath, path: writer.path, first: first) }
            movieID = nil
            report.movie = nil
        }
        enforceRetention()
    }

    /// After a failed append: the writer is closed with the frames before the failure in its
    /// partial file; make that a finished movie, free space, and try again later.
    private func salvageMovie(after error: MovieError, at time: MonotonicInstant) {
        guard let writer, let first = movieFirst else { return }
        self.writer = nil
        movieFirst = nil
        writer.abandon()
        if monitor.isWritable {
            salvage(partial: writer.partialPath, path: writer.path, first: first)
        } else {
            movieID = nil
            report.movie = nil
        }
        retryAfter = time.advanced(by: Self.retryInterval)
        if error.kind == .diskFull { logger.error("disk full: freeing space by the retention policy") }
        enforceRetention()
    }

    private func salvage(partial: String, path: String, first: MonotonicInstant) {
        do {
            recordFinished(try MovieRepair.finish(partial: partial, to: path), first: first)
        } catch {
            // Left for the next start's reconcile, which retries the repair.
            fail("repair \(partial): \(error)")
        }
    }

    private func recordFinished(_ summary: MovieSummary, first: MonotonicInstant) {
        let start = wallClock.date(at: first)
        let end = wallClock.date(at: first.advanced(by: summary.lastFrameTime - summary.firstFrameTime))
        if let movieID, monitor.isWritable {
            attempt("finish movie \(summary.path)") { () throws(EventStoreError) in
                try index.updateMovie(id: movieID, frames: summary.frames, bytes: summary.bytes, end: end, finished: true)
            }
        }
        report.eventBytes += summary.bytes - movieBytes
        movieID = nil
        report.movie = nil
        emit(.movieFinished(FinishedMovie(
            camera: camera, event: report.event, path: summary.path, frames: summary.frames, bytes: summary.bytes,
            start: start, end: end, duration: summary.duration)))
    }

    private func writeSnapshot(_ frame: CapturedFrame) {
        guard let event = report.event, monitor.isWritable else { return }
        do {
            let path = try layout.snapshotPath(camera: camera, start: event.start)
            // With movies, the movie made the day's folder.
            if !movies { try layout.createDirectory(camera: camera, start: event.start) }
            try FileSystem.publish(frame.jpeg, to: path)
            snapshot = path
            report.event?.snapshot = path
            // With movies the event's bytes are its movies' (as they always were).
            if !movies { report.eventBytes += Int64(frame.jpeg.count) }
            emit(.snapshotTaken(camera: camera, eventID: event.id, path: path, at: wallClock.date(at: frame.captureTime)))
        } catch let error as FileError where error.kind == .diskFull {
            fail("snapshot: \(error)")
            logger.error("disk full: freeing space by the retention policy")
            enforceRetention()
        } catch {
            if !noteStorageFault(error) { fail("snapshot: \(error)") }
        }
    }

    // MARK: Retention, errors

    /// Applies the retention policy, never touching the event in progress.
    func enforceRetention() {
        guard retention != .keepEverything, monitor.isWritable else { return }
        do {
            let protecting = Set([report.event?.id].compactMap { $0 })
            let result = try Retention.enforce(
                policy: retention, index: index, layout: layout, now: wallClock.date(at: latest), protecting: protecting)
            if !result.deletedEvents.isEmpty {
                emit(.retention(deletedEvents: result.deletedEvents.count, freedBytes: result.freedBytes, at: wallClock.date(at: latest)))
                logger.notice(
                    "retention deleted events",
                    metadata: ["events": "\(result.deletedEvents.count)", "freed": "\(result.freedBytes)"])
            }
            for failure in result.failures { fail("retention: \(failure)") }
        } catch {
            fail("retention: \(error)")
        }
    }

    private func attempt(_ what: String, _ body: () throws(EventStoreError) -> Void) {
        do { try body() } catch {
            if !noteStorageFault(error) { fail("\(what): \(error)") }
        }
    }

    private func fail(_ message: String) {
        logger.error("\(message)", metadata: ["camera": "\(camera)"])
        newErrors.append(message)
    }
}

/// A recorder failure with a message for the user.
public struct RecorderError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
