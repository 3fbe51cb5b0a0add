import Foundation

/// One event as Vigil's outside interfaces print it in JSON (`vigil events list --json`,
/// `GET /api/v1/events`): times in UTC, ISO 8601 with milliseconds, the duration in seconds
/// once the event has ended.
public struct EventSummary: Encodable, Sendable, Hashable {
    public var id: Int64
    public var camera: String
    public var state: String
    /// UTC, ISO 8601 with milliseconds.
    public var start: String
    public var end: String?
    public var durationSeconds: Double?
    public var triggers: [String]
    public var frames: Int
    public var bytes: Int64
    /// The snapshot's path on the node.
    public var snapshot: String?

    public init(_ event: EventRecord) {
        id = event.id
        camera = event.camera
        state = event.state.rawValue
        start = Self.iso(event.start)
        end = event.end.map(Self.iso)
        durationSeconds = event.end.map { $0.timeIntervalSince(event.start) }
        triggers = event.triggers
        frames = event.frames
        bytes = event.bytes
        snapshot = event.snapshot
    }

    /// UTC, ISO 8601 with milliseconds: `2025-03-01T18:04:05.120Z`.
    public static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
