import EventStore
import Foundation
import Recorder

/// One side of an `events` message, in the shape Frigate users parse (`id`, `camera`, `label`,
/// `start_time`, `end_time` in epoch seconds, `has_clip`, `has_snapshot`), with Vigil's own
/// fields beside them.
public struct MQTTEventSide: Codable, Sendable, Hashable {
    /// `<node>-<event id>`: unique in a fleet, so a consumer can drop repeats.
    public var id: String
    public var eventID: Int64
    public var node: String
    public var camera: String
    public var label = "motion"
    public var startTime: Double
    public var endTime: Double?
    public var triggers: [String]
    public var frames: Int
    public var hasClip: Bool
    public var hasSnapshot: Bool
    public var snapshot: String?
    public var movies: [String]

    enum CodingKeys: String, CodingKey {
        case id, eventID = "event_id", node, camera, label, startTime = "start_time", endTime = "end_time", triggers, frames
        case hasClip = "has_clip", hasSnapshot = "has_snapshot", snapshot, movies
    }

    public init(node: String, event: EventRecord, movies: [String]) {
        id = "\(node)-\(event.id)"
        eventID = event.id
        self.node = node
        camera = event.camera
        startTime = event.start.timeIntervalSince1970
        endTime = event.end?.timeIntervalSince1970
        triggers = event.triggers
        frames = event.frames
        hasClip = !movies.isEmpty
        hasSnapshot = event.snapshot != nil
        snapshot = event.snapshot
        self.movies = movies
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(eventID, forKey: .eventID)
        try container.encode(node, forKey: .node)
        try container.encode(camera, forKey: .camera)
        try container.encode(label, forKey: .label)
        try container.encode(startTime, forKey: .startTime)
        try container.encode(endTime, forKey: .endTime)  // null while open, as Frigate sends it
        try container.encode(triggers, forKey: .triggers)
        try container.encode(frames, forKey: .frames)
        try container.encode(hasClip, forKey: .hasClip)
        try container.encode(hasSnapshot, forKey: .hasSnapshot)
        try container.encode(snapshot, forKey: .snapshot)
        try container.encode(movies, forKey: .movies)
    }
}

/// An `events` message.
public struct MQTTEventMessage: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable { case new, update, end }
    public var type: Kind
    public var before: MQTTEventSide?
    public var after: MQTTEventSide

    public init(type: Kind, before: MQTTEventSide?, after: MQTTEventSide) {
        self.type = type
        self.before = before
        self.after = after
    }
}

/// A camera's `state` message.
public struct MQTTCameraState: Codable, Sendable, Hashable {
    /// `starting`, `idle`, `recording`, `lost` or `stopped`.
    public var state: String
    public var framesPerSecond: Double
    public var framesPerMinute: Int
    public var lastFrame: Double?
    /// Whether the IR illuminator is lit (nil when the board has none).
    public var ir: Bool?
    public var errors: Int
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case state, framesPerSecond = "fps", framesPerMinute = "frames_per_minute", lastFrame = "last_frame", ir, errors
        case lastError = "last_error"
    }

    public init(_ camera: RecorderStatus.CameraStatus, ir: Bool?) {
        state = camera.state == .cameraLost ? "lost" : camera.state.rawValue
        let fps = camera.framesPerSecond.isFinite ? max(0, min(camera.framesPerSecond, 1000)) : 0
        framesPerSecond = (fps * 10).rounded() / 10
        framesPerMinute = Int((fps * 60).rounded())
        lastFrame = camera.lastFrame.map { ($0.timeIntervalSince1970 * 1000).rounded() / 1000 }
        self.ir = ir
        errors = camera.errors
        lastError = camera.lastError
    }
}

/// The node's `status` message: what `vigil fleet status` shows.
public struct MQTTNodeStatus: Codable, Sendable, Hashable {
    public struct LastEvent: Codable, Sendable, Hashable {
        public var id: Int64
        public var camera: String
        public var start: Double
    }

    public var node: String
    public var cameras: [String]
    public var started: Double?
    public var diskFreeBytes: Int64?
    public var lastEvent: LastEvent?
    public var errors: Int
    public var recentErrors: [String]

    enum CodingKeys: String, CodingKey {
        case node, cameras, started, diskFreeBytes = "disk_free_bytes", lastEvent = "last_event", errors, recentErrors = "recent_errors"
    }

    public init(
        node: String, cameras: [String], started: Double?, diskFreeBytes: Int64?, lastEvent: LastEvent?, errors: Int, recentErrors: [String]
    ) {
        self.node = node
        self.cameras = cameras
        self.started = started
        self.diskFreeBytes = diskFreeBytes
        self.lastEvent = lastEvent
        self.errors = errors
        self.recentErrors = recentErrors
    }

    /// The node's status; `cameras` names them before the recorder has started.
    public init(node: String, cameras: [String], status: RecorderStatus) {
        let last = status.cameras.compactMap { camera in (camera.currentEvent ?? camera.lastEvent).map { (camera.name, $0) } }
            .max { $0.1.start < $1.1.start }
        self.init(
            node: node, cameras: cameras, started: status.started.map { $0.timeIntervalSince1970.rounded() },
            diskFreeBytes: status.storage?.freeBytes,
            lastEvent: last.map { LastEvent(id: $0.1.id, camera: $0.0, start: $0.1.start.timeIntervalSince1970) },
            errors: status.cameras.reduce(0) { $0 + $1.errors }, recentErrors: Array(status.recentErrors.suffix(3)))
    }
}

enum MQTTJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The payload types hold only strings, numbers and arrays: encoding cannot fail.
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }
}
