import EventStore
import Foundation

/// What a running recorder reports through its control socket (`vigil status`).
public struct RecorderStatus: Sendable, Hashable, Codable {
    /// What one camera's pipeline is doing.
    public enum State: String, Sendable, Hashable, Codable {
        /// Connecting to the camera.
        case starting
        /// Watching, no event open.
        case idle
        /// An event is open.
        case recording
        /// The camera stopped answering; reconnecting.
        case cameraLost = "camera-lost"
        /// Stopped.
        case stopped
    }

    /// An event as the status shows it.
    public struct EventSummary: Sendable, Hashable, Codable {
        public var id: Int64
        public var start: Date
        public var end: Date?
        public var triggers: [String]
        public var frames: Int
        public var bytes: Int64
        public var movie: String?
        public var snapshot: String?

        public init(
            id: Int64, start: Date, end: Date?, triggers: [String], frames: Int, bytes: Int64, movie: String?, snapshot: String?
        ) {
            self.id = id
            self.start = start
            self.end = end
            self.triggers = triggers
            self.frames = frames
            self.bytes = bytes
            self.movie = movie
            self.snapshot = snapshot
        }

        /// The event as the index records it; `movie`, `frames` and `bytes` stand in for the
        /// row's while the event is being recorded.
        public init(_ event: EventRecord, movie: String? = nil, frames: Int? = nil, bytes: Int64? = nil) {
            self.init(
                id: event.id, start: event.start, end: event.end, triggers: event.triggers, frames: frames ?? event.frames,
                bytes: bytes ?? event.bytes, movie: movie, snapshot: event.snapshot)
        }
    }

    /// One camera's pipeline.
    public struct CameraStatus: Sendable, Hashable, Codable {
        public var name: String
        public var state: State = .starting
        public var model: String?
        public var port: String?
        public var baud: Int?
        public var width: Int?
        public var height: Int?
        public var connected = false
        /// Frames captured since the recorder started.
        public var frames = 0
        /// Frames a second over the last few frames.
        public var framesPerSecond = 0.0
        public var lastFrame: Date?
        public var errors = 0
        public var reconnects = 0
        /// Re-reads the driver needed for frames it delivered in the end: a lossy wire or a
        /// camera that reset (power cut, brown-out) and was brought back without an error.
        public var rereads = 0
        public var lastError: String?
        public var currentEvent: EventSummary?
        public var lastEvent: EventSummary?
        /// The last scene brightness measured by software motion detection (0...255).
        public var brightness: Double?

        public init(name: String) { self.name = name }
    }

    /// Storage use at the root.
    public struct Storage: Sendable, Hashable, Codable {
        public var root: String
        public var usedBytes: Int64
        public var freeBytes: Int64?
        public var events: Int
        /// What keeps the recorder from writing now (a ``StorageFault`` in words, naming the
        /// path), nil while the storage is writable.
        public var fault: String?

        public init(root: String, usedBytes: Int64, freeBytes: Int64?, events: Int, fault: String? = nil) {
            self.root = root
            self.usedBytes = usedBytes
            self.freeBytes = freeBytes
            self.events = events
            self.fault = fault
        }
    }

    /// Where this status came from: a running recorder or, when none runs, the index.
    public var source: String = "recorder"
    public var pid: Int32?
    public var started: Date?
    public var uptimeSeconds: Double?
    public var cameras: [CameraStatus] = []
    public var storage: Storage?
    /// Logical states of the board's lines by role (`pir`, `tamper`, `ir-led`, `status-led`).
    public var gpio: [String: Bool] = [:]
    /// The status LED's pattern.
    public var statusLED: String?
    /// Recent errors, newest last.
    public var recentErrors: [String] = []
    /// Parts the configuration asked for that the node runs without (a line another program
    /// holds, say), each with the reason; nil when nothing is missing.
    public var unavailable: [String]?

    public init() {}
}
