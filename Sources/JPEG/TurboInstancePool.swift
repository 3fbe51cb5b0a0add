import Synchronization

/// Idle libturbojpeg instances of one kind, created on demand and lent to one call at a time.
///
/// Concurrent calls each get their own instance, so they never wait for one another's work;
/// the lock is held only to pop or push. At most ``maximumIdle`` idle instances are kept;
/// the rest are freed when returned.
final class TurboInstancePool: Sendable {
    static let maximumIdle = 8

    private let kind: TurboInstance.Kind
    private let idle = Mutex<[TurboInstance]>([])

    init(_ kind: TurboInstance.Kind) { self.kind = kind }

    /// Runs `body` with an instance nobody else is using. An instance whose call failed is
    /// freed, not reused: after some errors in corrupt input libturbojpeg 2.1 leaves the
    /// handle unable to read even good streams.
    func withInstance<Result>(
        _ body: (TurboInstance) throws(JPEGError) -> Result
    ) throws(JPEGError) -> Result {
        let reused = idle.withLock { instances in instances.popLast() }
        let instance = if let reused { reused } else { try TurboInstance(kind) }
        let result = try body(instance)
        idle.withLock { instances in
            if instances.count < Self.maximumIdle { instances.append(instance) }
        }
        return result
    }
}
