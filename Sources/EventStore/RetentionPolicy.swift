/// How much footage a node keeps. Every limit that is set must hold after
/// ``Retention/enforce(policy:index:layout:now:protecting:freeBytes:)``, except that an event in
/// progress is never deleted to get there. A policy with no limit set keeps everything.
public struct RetentionPolicy: Sendable, Hashable, Codable {
    /// Events that ended (or, when still open, started) longer ago than this are deleted.
    public var maxAge: Duration?
    /// The most bytes all events together may take.
    public var maxTotalBytes: Int64?
    /// The fewest bytes that must stay free on the storage file system.
    public var minFreeBytes: Int64?

    /// A policy with the given limits (nil: no limit of that kind).
    public init(maxAge: Duration? = nil, maxTotalBytes: Int64? = nil, minFreeBytes: Int64? = nil) {
        self.maxAge = maxAge
        self.maxTotalBytes = maxTotalBytes
        self.minFreeBytes = minFreeBytes
    }

    /// Keeps everything.
    public static let keepEverything = RetentionPolicy()
}
