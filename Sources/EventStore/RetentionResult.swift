/// What ``Retention/enforce(policy:index:layout:now:protecting:freeBytes:)`` deleted.
public struct RetentionResult: Sendable, Hashable {
    /// Events whose files and rows were deleted, oldest first.
    public var deletedEvents: [Int64] = []
    /// Files removed (movies, their `.partial` files, snapshots).
    public var removedFiles: [String] = []
    /// The sizes of the removed files, added up: the space freed.
    public var freedBytes: Int64 = 0
    /// Events that were kept, row and remaining files, because a file could not be removed; they
    /// are tried again next time.
    public var failures: [EventStoreError] = []

    /// An empty result.
    public init() {}
}
