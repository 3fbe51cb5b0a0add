import CameraDrivers
import EventStore
import Files
import Foundation
import HAL
import Logging
import Movies

/// Carries out an ``EventMachine``'s actions for one camera: movies through ``MovieWriter``, the
/// event's snapshot, rows in the ``EventIndex``, retention after each movie, hooks.
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
    let hooks: (HookKind, [String: String]) -> Void
    let logger: Logger
    private(set) var report = Report()
    private var newErrors: [String] = []

    /// The failures since the last call.
    func takeErrors() -> [String] {
        defer { newErrors.removeAll() }
        return newErrors
    }

    private var writer: MovieWriter?
    private var movieID: Int64?
    private var movieFirst: MonotonicInstant?
    private var movieBytes: Int64 = 0
    private var snapshot: String?
    private var pendingMovie: MonotonicInstant?
    /// After a write failure, when to try a new movie again.
    private var retryAfter: MonotonicInstant?
    /// The latest capture time seen: the writer's "now".
    private var latest = MonotonicInstant.zero

    /// How long after a write failure (a full disk) a new movie is tried.
    static let retryInterval = Duration.seconds(5)

    init(
        camera: String, layout: StorageLayout, index: EventIndex, retention: RetentionPolicy, wallClock: WallClock,
        logger: Logger, hooks: @escaping (HookKind, [String: String]) -> Void = { _, _ in }
    ) {
        self.camera = camera
        self.layout = layout
        self.index = index
        self.retention = retention
        self.wallClock = wallClock
        self.logger = logger
        self.hooks = hooks
    }

    /// Carries out `action`.
    func perform(_ action: EventMachine<CapturedFrame>.Action) {
        switch action {
        case .beginEvent(let start, let triggers):
            beginEvent(start: start, triggers: triggers)
        case .addTriggers(let triggers):
            guard let id = report.event?.id else { return }
            for trigger in triggers.map(\.rawValue).sorted() {
                attempt("add trigger \(trigger) to event \(id)") { () throws(EventStoreError) in
                    try index.addTrigger(eventID: id, trigger)
                }
                report.event?.triggers.append(trigger)
            }
        case .beginMovie(let first):
            pendingMovie = first
        case .write(let frame, let captureTime, let motion):
            write(frame, at: captureTime, motion: motion)
        case .endMovie:
            endMovie()
        case .endEvent(let end, _):
            endEvent(end: end)
        }
    }

    // MARK: Events

    private func beginEvent(start: MonotonicInstant, triggers: Set<TriggerSource>) {
        let date = wallClock.date(at: start)
        let names = triggers.map(\.rawValue).sorted()
        report.eventFrames = 0
        report.eventBytes = 0
        snapshot = nil
        do {
            report.event = try index.beginEvent(camera: camera, start: date, triggers: names)
        } catch {
            // Recording goes on without a row; reconcile adopts the files at the next start.
            fail("begin event: \(error)")
            report.event = EventRecord(
                id: -1, camera: camera, start: date, end: nil, triggers: names, frames: 0, bytes: 0, snapshot: nil,
                state: .recording)
        }
        logger.info("event begins", metadata: ["camera": "\(camera)", "triggers": "\(names.joined(separator: ","))"])
        hooks(.eventStart, environment())
    }

    private func endEvent(end: MonotonicInstant) {
        guard var event = report.event else { return }
        event.end = wallClock.date(at: end)
        event.frames = report.eventFrames
        event.bytes = report.eventBytes
        event.snapshot = snapshot
        event.state = .finished
        if event.id >= 0 {
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
        hooks(.eventEnd, environment(event: event))
    }

    // MARK: Movies

    private func write(_ frame: CapturedFrame, at time: MonotonicInstant, motion: Bool) {
        latest = max(latest, time)
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
            fail("write \(writer.partialPath): \(error)")
            salvageMovie(after: error, at: time)
            return
        }
        if motion, snapshot == nil { writeSnapshot(frame) }
    }

    private func openMovie(first: MonotonicInstant, width: Int, height: Int) {
        pendingMovie = nil
        let date = wallClock.date(at: first)
        do {
            try layout.createDirectory(camera: camera, start: date)
            let path = try layout.moviePath(camera: camera, start: date)
            let writer = try MovieWriter(
                path: path, width: width, height: height,
                metadata: ["camera": camera, "event": "\(report.event?.id ?? -1)", "start": ISO8601DateFormatter().string(from: date)])
            self.writer = writer
            movieFirst = first
            movieBytes = 0
            retryAfter = nil
            report.movie = path
            if let event = report.event, event.id >= 0 {
                movieID = try index.addMovie(eventID: event.id, path: path, start: date).id
            }
        } catch {
            fail("open movie: \(error)")
            retryAfter = first.advanced(by: Self.retryInterval)
            if let writer { writer.abandon() }
            writer = nil
            enforceRetention()
        }
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
            fail("finish \(writer.path): \(error)")
            salvage(partial: writer.partialPath, path: writer.path, first: first)
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
        salvage(partial: writer.partialPath, path: writer.path, first: first)
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
        let end = wallClock.date(at: first.advanced(by: summary.lastFrameTime - summary.firstFrameTime))
        if let movieID {
            attempt("finish movie \(summary.path)") { () throws(EventStoreError) in
                try index.updateMovie(id: movieID, frames: summary.frames, bytes: summary.bytes, end: end, finished: true)
            }
        }
        report.eventBytes += summary.bytes - movieBytes
        movieID = nil
        report.movie = nil
        var environment = environment()
        environment["VIGIL_MOVIE"] = summary.path
        environment["VIGIL_MOVIE_FRAMES"] = "\(summary.frames)"
        environment["VIGIL_MOVIE_SECONDS"] = String(format: "%.3f", summary.duration.seconds)
        hooks(.movieEnd, environment)
    }

    private func writeSnapshot(_ frame: CapturedFrame) {
        guard let event = report.event else { return }
        do {
            let path = try layout.snapshotPath(camera: camera, start: event.start)
            try FileSystem.publish(frame.jpeg, to: path)
            snapshot = path
        } catch let error as FileError where error.kind == .diskFull {
            fail("snapshot: \(error)")
            logger.error("disk full: freeing space by the retention policy")
            enforceRetention()
        } catch {
            fail("snapshot: \(error)")
        }
    }

    // MARK: Retention, errors, hooks

    /// Applies the retention policy, never touching the event in progress.
    func enforceRetention() {
        guard retention != .keepEverything else { return }
        do {
            let protecting = Set([report.event?.id].compactMap { $0 })
            let result = try Retention.enforce(
                policy: retention, index: index, layout: layout, now: wallClock.date(at: latest), protecting: protecting)
            if !result.deletedEvents.isEmpty {
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
        do { try body() } catch { fail("\(what): \(error)") }
    }

    private func fail(_ message: String) {
        logger.error("\(message)", metadata: ["camera": "\(camera)"])
        newErrors.append(message)
    }

    private func environment(event: EventRecord? = nil) -> [String: String] {
        guard let event = event ?? report.event else { return [:] }
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var environment = [
            "VIGIL_CAMERA": camera,
            "VIGIL_EVENT_ID": "\(event.id)",
            "VIGIL_EVENT_START": format.string(from: event.start),
            "VIGIL_TRIGGERS": event.triggers.joined(separator: ","),
            "VIGIL_STORAGE": layout.root,
        ]
        if let end = event.end { environment["VIGIL_EVENT_END"] = format.string(from: end) }
        if let snapshot = event.snapshot ?? snapshot { environment["VIGIL_SNAPSHOT"] = snapshot }
        if event.end != nil {
            environment["VIGIL_EVENT_FRAMES"] = "\(event.frames)"
            environment["VIGIL_EVENT_BYTES"] = "\(event.bytes)"
        }
        return environment
    }
}

/// A recorder failure with a message for the user.
public struct RecorderError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
