import Foundation

/// An event with the disk space it accounts for: what retention plans with.
public struct EventUsage: Sendable, Hashable, Codable {
    /// The event.
    public var event: EventRecord
    /// Bytes its files take: the larger of the event's own ``EventRecord/bytes`` and the sum of its
    /// movies' ``MovieRecord/bytes`` (so an event still recording counts what it has written).
    public var bytes: Int64

    /// Pairs an event with its bytes.
    public init(event: EventRecord, bytes: Int64) {
        self.event = event
        self.bytes = bytes
    }

    /// Pairs an event with its own ``EventRecord/bytes``.
    public init(event: EventRecord) {
        self.init(event: event, bytes: event.bytes)
    }
}
