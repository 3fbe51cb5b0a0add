import CameraDrivers
import EventStore
import Foundation

/// Something that happened in a running recorder, as Swift values: what the control socket,
/// hooks, the event printer, HTTP and MQTT are told. Every case carries the wall-clock date it
/// happened at.
public enum RecorderEvent: Sendable, Hashable {
    /// An event began (its first frame with a trigger); the record has its id, camera, start
    /// and triggers. Its id is -1 when the index could not take the row (the files are
    /// adopted at the next start).
    case eventStarted(EventRecord)
    /// An open event changed: new triggers joined it.
    case eventUpdated(EventRecord)
    /// An event ended: the record has its end, frames, bytes and snapshot.
    case eventEnded(EventRecord)
    /// A movie file was finished (an event may have several).
    case movieFinished(FinishedMovie)
    /// The event's snapshot was written.
    case snapshotTaken(camera: String, eventID: Int64, path: String, at: Date)
    /// The camera stopped answering; the recorder reconnects with back-off.
    case cameraLost(camera: String, error: String, at: Date)
    /// The camera answers again after being lost.
    case cameraRecovered(camera: String, at: Date)
    /// Free space at the storage root fell below the retention policy's minimum.
    case storageLow(freeBytes: Int64, minimumBytes: Int64, at: Date)
    /// The retention policy deleted whole events (oldest first) to keep within its limits.
    case retention(deletedEvents: Int, freedBytes: Int64, at: Date)
    /// A hook command was started for an event.
    case hookStarted(HookKind, at: Date)
    /// A hook command failed: it exited non-zero, was killed at its timeout, was skipped (too
    /// many running) or could not be started.
    case hookFailed(HookKind, reason: String, at: Date)
    /// A failure the recorder survived (a write that failed, a line that stopped answering);
    /// `camera` is nil for the node's own parts.
    case error(camera: String?, message: String, at: Date)

    /// When it happened.
    public var date: Date {
        switch self {
        case .eventStarted(let event), .eventUpdated(let event): event.start
        case .eventEnded(let event): event.end ?? event.start
        case .movieFinished(let movie): movie.end
        case .snapshotTaken(_, _, _, let date), .cameraLost(_, _, let date), .cameraRecovered(_, let date),
            .storageLow(_, _, let date), .error(_, _, let date), .retention(_, _, let date), .hookStarted(_, let date),
            .hookFailed(_, _, let date):
            date
        }
    }

    /// The camera it concerns, if one.
    public var camera: String? {
        switch self {
        case .eventStarted(let event), .eventUpdated(let event), .eventEnded(let event): event.camera
        case .movieFinished(let movie): movie.camera
        case .snapshotTaken(let camera, _, _, _), .cameraLost(let camera, _, _), .cameraRecovered(let camera, _): camera
        case .storageLow, .retention, .hookStarted, .hookFailed: nil
        case .error(let camera, _, _): camera
        }
    }
}

/// A movie file the recorder finished.
public struct FinishedMovie: Sendable, Hashable, Codable {
    public var camera: String
    /// The event it belongs to, as it stood when the movie was finished; nil when the movie was
    /// finished outside an event.
    public var event: EventRecord?
    public var path: String
    public var frames: Int
    public var bytes: Int64
    /// Wall-clock dates of its first and last frames.
    public var start: Date
    public var end: Date
    /// From the first frame's start to the end of the last, as the file's header says.
    public var duration: Duration

    public init(
        camera: String, event: EventRecord?, path: String, frames: Int, bytes: Int64, start: Date, end: Date, duration: Duration
    ) {
        self.camera = camera
        self.event = event
        self.path = path
        self.frames = frames
        self.bytes = bytes
        self.start = start
        self.end = end
        self.duration = duration
    }
}

/// Where a recorder sends what it does, besides its status board: typed events and every
/// captured frame. Both are called from the recording pipeline's task and must return at once
/// (hand the value on; never block or wait).
public struct RecorderObserver: Sendable {
    public var event: @Sendable (RecorderEvent) -> Void
    /// A camera's name and the frame it just delivered.
    public var frame: @Sendable (String, CapturedFrame) -> Void

    public init(
        event: @escaping @Sendable (RecorderEvent) -> Void = { _ in },
        frame: @escaping @Sendable (String, CapturedFrame) -> Void = { _, _ in }
    ) {
        self.event = event
        self.frame = frame
    }

    /// Sees nothing.
    public static let none = RecorderObserver()
}
