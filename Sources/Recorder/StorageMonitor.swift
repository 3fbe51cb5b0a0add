import EventStore
import Files
import Foundation
import Synchronization

/// Watches a storage root for the faults a recorder survives (``StorageFault``) and holds the
/// one current fault, shared by every camera's pipeline and the recorder's housekeeping.
///
/// ``claim()`` (at start-up) notes the root's device and writes a marker file, so that a root
/// whose mount went away is told from the storage itself: afterwards ``examine()`` (two `stat`
/// calls, no write: cheap enough before every movie) finds a missing root or a vanished mount,
/// and ``probe()`` also tries a small write (the marker, published again). Writers call
/// ``enter(_:)`` when they meet a fault; the first caller of a new fault gets `true` and the
/// reporter set with ``setReporter(_:)`` is told once. A monitor never claimed finds nothing
/// by itself: only faults entered by writers. The recorder's housekeeping calls
/// ``recover(index:reconcile:)`` on a back-off until the storage is back.
public final class StorageMonitor: Sendable {
    public let layout: StorageLayout
    /// The marker file's name at the root.
    public static let markerName = ".vigil-storage"
    /// How often a faulted storage is looked at again.
    public static let retryInterval = Duration.seconds(5)

    /// `ROOT/.vigil-storage`.
    public var markerPath: String { FileSystem.join(layout.root, Self.markerName) }

    private struct State {
        /// The root's device when claimed; nil before ``claim()``.
        var device: UInt64?
        var fault: StorageFault?
        var openWriters = 0
        var counts: [String: Int] = [:]
        var recoveries = 0
        var reporter: (@Sendable (StorageFault?, StorageFault?) -> Void)?
    }
    private let state = Mutex(State())

    public init(layout: StorageLayout) {
        self.layout = layout
    }

    /// Notes the root's device and writes the marker. Call once the root exists, before recording.
    public func claim() throws(FileError) {
        let device = try FileSystem.status(of: layout.root).device
        try FileSystem.publish(Array("vigil storage root\n".utf8), to: markerPath)
        state.withLock { $0.device = device }
    }

    /// Who is told when a fault begins (old nil) or ends (new nil): `(old, new)`.
    public func setReporter(_ reporter: @escaping @Sendable (_ old: StorageFault?, _ new: StorageFault?) -> Void) {
        state.withLock { $0.reporter = reporter }
    }

    /// The fault now, nil while the storage is writable.
    public var fault: StorageFault? { state.withLock { $0.fault } }

    /// Whether the storage is writable (no fault).
    public var isWritable: Bool { fault == nil }

    /// How many faults of each ``StorageFault/kind`` began so far.
    public var faultCounts: [String: Int] { state.withLock { $0.counts } }

    /// How many times the storage came back.
    public var recoveries: Int { state.withLock { $0.recoveries } }

    /// Movie writers open now (pipelines tell ``writerOpened()`` / ``writerClosed()``): the
    /// index is caught up only when none is open.
    public var openWriters: Int { state.withLock { $0.openWriters } }

    public func writerOpened() { state.withLock { $0.openWriters += 1 } }
    public func writerClosed() { state.withLock { $0.openWriters = max(0, $0.openWriters - 1) } }

    /// Records `fault` as the current one; returns whether it is new (the reporter is told).
    /// An unclaimed monitor takes no fault (false): without a recorder's housekeeping nothing
    /// would end it, so writers report the failure as they always did.
    @discardableResult
    public func enter(_ fault: StorageFault) -> Bool {
        let (old, reporter) = state.withLock { state -> (StorageFault?, (@Sendable (StorageFault?, StorageFault?) -> Void)?) in
            let old = state.fault
            guard state.device != nil, old?.kind != fault.kind else { return (old, nil) }
            state.fault = fault
            state.counts[fault.kind, default: 0] += 1
            return (old, state.reporter)
        }
        guard let reporter else { return false }
        reporter(old, fault)
        return true
    }

    /// Without writing: a missing root, or one whose mount went away (its device changed, or
    /// its marker is gone). While the root is missing, a root made again counts as back. An
    /// unclaimed root is not examined (nil).
    public func examine() -> StorageFault? {
        let (claimed, current) = state.withLock { ($0.device, $0.fault) }
        guard let device = claimed else { return nil }
        let status: FileSystem.Status
        do {
            status = try FileSystem.status(of: layout.root)
        } catch {
            return .missing(root: layout.root)
        }
        guard status.kind == .directory else { return .missing(root: layout.root) }
        if case .missing = current { return nil }
        if status.device != device {
            return .unmounted(root: layout.root, reason: "its device changed from \(device) to \(status.device)")
        }
        if !FileSystem.exists(markerPath) {
            return .unmounted(root: layout.root, reason: "its marker \(markerPath) is gone")
        }
        return nil
    }

    /// ``examine()``, then a small write (the marker published again, on a claimed root): a
    /// read-only file system shows here. A full disk is not a fault of its own (retention
    /// frees space), except that a current ``StorageFault/indexFull`` stays while the write fails.
    public func probe() -> StorageFault? {
        if let fault = examine() { return fault }
        guard state.withLock({ $0.device != nil }) else { return nil }
        do {
            try claim()
        } catch where error.kind == .readOnly {
            return .readOnly(root: layout.root, detail: "\(error)")
        } catch where error.kind == .notFound || error.kind == .notDirectory {
            return .missing(root: layout.root)
        } catch {
            if let current = fault, case .indexFull = current { return current }
            return nil
        }
        return nil
    }

    /// One step of recovery, for the housekeeping: when a fault is current, no movie is open
    /// and ``probe()`` finds the storage writable, the index is opened afresh (after a missing
    /// root or a vanished mount), `reconcile` catches it up with the files, and the fault
    /// ends (the reporter is told). A failure keeps (or changes) the fault. Returns whether the
    /// storage is writable afterwards.
    @discardableResult
    public func recover(index: EventIndex, reconcile: () throws(EventStoreError) -> Void) -> Bool {
        guard let current = fault else { return true }
        guard openWriters == 0 else { return false }
        if let found = probe() {
            if found.kind != current.kind { replace(with: found) }
            return false
        }
        do {
            switch current {
            case .missing, .unmounted: try index.reopen()
            case .readOnly, .indexFull: break
            }
            try reconcile()
        } catch {
            let fault: StorageFault =
                error.kind == .diskFull
                ? .indexFull(path: layout.indexPath, detail: error.message)
                : error.kind == .readOnly ? .readOnly(root: layout.root, detail: error.message) : current
            if fault.kind != current.kind { replace(with: fault) }
            return false
        }
        let reporter = state.withLock { state -> (@Sendable (StorageFault?, StorageFault?) -> Void)? in
            state.fault = nil
            state.recoveries += 1
            return state.reporter
        }
        reporter?(current, nil)
        return true
    }

    /// The fault an index error means, if any: a full disk under the index.
    public func fault(for error: EventStoreError) -> StorageFault? {
        switch error.kind {
        case .diskFull: .indexFull(path: layout.indexPath, detail: error.message)
        case .readOnly: .readOnly(root: layout.root, detail: error.message)
        default: nil
        }
    }

    private func replace(with fault: StorageFault) {
        let (old, reporter) = state.withLock { state in
            defer {
                state.fault = fault
                state.counts[fault.kind, default: 0] += 1
            }
            return (state.fault, state.reporter)
        }
        reporter?(old, fault)
    }
}
