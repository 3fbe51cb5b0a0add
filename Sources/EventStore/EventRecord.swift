import Foundation

/// One motion event: from its first trigger to the recorder closing it, possibly spanning several movies.
public struct EventRecord: Sendable, Hashable, Codable, Identifiable {
    /// Where an event is in its life.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// The recorder is still writing it (at most one per camera while the recorder runs).
        case recording
        /// The recorder closed it normally with ``EventIndex/finishEvent(id:end:frames:bytes:snapshot:)``.
        case finished
        /// The recorder stopped without closing it (a crash or power loss found by
        /// ``EventIndex/reconcile(layout:probe:repair:)``, or ``EventIndex/markInterrupted(eventID:)``),
        /// or the event was rebuilt from files that had no rows.
        case interrupted
    }

    /// The row id, unique for the life of the index (never reused).
    public var id: Int64
    /// The camera's name (`[A-Za-z0-9_-]+`).
    public var camera: String
    /// Wall-clock time of the event's first frame.
    public var start: Date
    /// Wall-clock time of the event's last frame; nil while recording.
    public var end: Date?
    /// What set the event off, in the order first seen, without repeats: for example `"pir"`,
    /// `"camera-motion"`, `"software-motion"`, `"tamper"`, `"manual"`.
    public var triggers: [String]
    /// Frames recorded, as last reported by the recorder (0 while recording unless updated).
    public var frames: Int
    /// Bytes on disk for the event's files, as last reported by the recorder.
    public var bytes: Int64
    /// The snapshot's path, when one was written.
    public var snapshot: String?
    /// Where the event is in its life.
    public var state: State

    /// Makes a record; rows are made by ``EventIndex``, this is for tests and for planning retention.
    public init(
        id: Int64, camera: String, start: Date, end: Date? = nil, triggers: [String] = [],
        frames: Int = 0, bytes: Int64 = 0, snapshot: String? = nil, state: State = .recording
    ) {
        self.id = id
        self.camera = camera
        self.start = start
        self.end = end
        self.triggers = triggers
        self.frames = frames
        self.bytes = bytes
        self.snapshot = snapshot
        self.state = state
    }
}
