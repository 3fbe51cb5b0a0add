import CameraDrivers
import EventStore
import Files
import Foundation
import HAL
import Node
import Recorder
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Acts on the storage at given virtual times of the node's clock. It runs inside the
/// file-system layer's observer, which every pipeline calls synchronously, so each step happens
/// at the first file-system call at or after its time: deterministic on virtual time. It may
/// also fail calls (an injected errno) while a window is open.
final class StorageScript: Sendable {
    struct Step: Sendable {
        var at: Duration
        var action: @Sendable () -> Void
    }

    let clock: any HALClock
    let steps: [Step]
    let inject: @Sendable (FileCall, Duration) -> Int32?
    /// The virtual instants the steps ran at, in order.
    private let done = Mutex<[MonotonicInstant]>([])

    init(clock: any HALClock, steps: [Step], inject: @escaping @Sendable (FileCall, Duration) -> Int32? = { _, _ in nil }) {
        self.clock = clock
        self.steps = steps
        self.inject = inject
    }

    var ranAt: [MonotonicInstant] { done.withLock { $0 } }

    func observe(_ call: FileCall) -> Int32? {
        let now = clock.now
        let elapsed = MonotonicInstant.zero.duration(to: now)
        let due = done.withLock { done -> [Step] in
            let pending = steps.dropFirst(done.count).prefix { $0.at <= elapsed }
            done.append(contentsOf: Array(repeating: now, count: pending.count))
            return Array(pending)
        }
        for step in due { step.action() }
        return inject(call, elapsed)
    }
}

/// A Boolean shared with the steps of a ``StorageScript``.
final class Flag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set(_ value: Bool) { state.withLock { $0 = value } }
}

/// Reads the node's status from inside the file-system layer's observer (on the simulated
/// board's thread), noting each storage fault it shows. Reading the status makes file-system
/// calls itself: those are not sampled again.
final class StatusSampler: Sendable {
    let node: CameraNode
    private let state = Mutex<(busy: Bool, faults: Set<String>)>((false, []))

    init(node: CameraNode) { self.node = node }

    var faults: Set<String> { state.withLock { $0.faults } }

    func sample() {
        guard state.withLock({ state in defer { state.busy = true }; return !state.busy }) else { return }
        let fault = node.status.storage?.fault
        state.withLock { state in
            state.busy = false
            if let fault { state.faults.insert(fault) }
        }
    }
}

/// What a faulted run showed, for the checks every storage-fault test makes.
struct FaultedRun {
    var events: [RecorderEvent]
    var frames: [CapturedFrame]
    var status: RecorderStatus
    /// Every `storage.fault` the node's status showed while it ran.
    var faultsInStatus: Set<String> = []

    /// The `.error` messages, in order.
    var messages: [String] {
        events.compactMap { if case .error(_, let message, _) = $0 { message } else { nil } }
    }

    /// The events from the first message containing `begin` to the first later one containing `end`.
    func between(_ begin: String, _ end: String) -> ArraySlice<RecorderEvent> {
        guard let first = events.firstIndex(where: { Self.message($0)?.contains(begin) ?? false }) else { return [] }
        let last = events[first...].firstIndex { Self.message($0)?.contains(end) ?? false } ?? events.endIndex
        return events[first..<last]
    }

    func after(_ text: String) -> ArraySlice<RecorderEvent> {
        guard let first = events.firstIndex(where: { Self.message($0)?.contains(text) ?? false }) else { return [] }
        return events[first...]
    }

    static func message(_ event: RecorderEvent) -> String? {
        if case .error(_, let message, _) = event { message } else { nil }
    }
}

@Suite(.serialized) struct StorageFaultTests {
    static let recovered = "is writable again"

    /// Runs a node for ten simulated minutes with `script` watching the file-system layer.
    func record(_ rig: SimulatedNodeRig, script: (any HALClock) -> StorageScript) async throws -> (FaultedRun, CameraNode, StorageScript) {
        let node = try rig.makeNode()
        let events = Collector(node.events(bufferSize: 100_000))
        let frames = Collector(try node.frames(camera: "yard", bufferSize: 100_000))
        let script = script(rig.hardware.clock)
        let sampler = StatusSampler(node: node)
        try await FileSystem.$observer.withValue({ call in
            defer { sampler.sample() }
            return script.observe(call)
        }) {
            try await node.run(for: .seconds(600))
        }
        var outcome = FaultedRun(events: await events.all(), frames: await frames.all(), status: node.status)
        outcome.faultsInStatus = sampler.faults
        return (outcome, node, script)
    }

    /// The checks every fault makes: the fault told once in the log's events and the status,
    /// frames flowing and events detected through it, recording resumed, and the index agreeing
    /// with the movies on disk.
    func checkSurvived(_ run: FaultedRun, node: CameraNode, fault: String, window: (MonotonicInstant, MonotonicInstant)) throws {
        let faultMessages = run.messages.filter { $0.contains(fault) }
        #expect(faultMessages.count == 1, "the fault is told once: \(run.messages)")
        #expect(run.faultsInStatus.contains { $0.contains(fault) }, "status 'storage.fault' seen: \(run.faultsInStatus)")
        #expect(run.status.recentErrors.contains { $0.contains(Self.recovered) }, "\(run.status.recentErrors)")
        #expect(run.status.storage?.fault == nil, "the fault is over at the end")

        // The camera kept being read through the fault.
        let (begin, end) = window
        let during = run.frames.filter { $0.captureTime > begin.advanced(by: .seconds(10)) && $0.captureTime < end }
        #expect(during.count > 20, "frames kept flowing during the fault: \(during.count)")

        // Events were detected during the fault and recording resumed afterwards.
        let faulted = run.between(fault, Self.recovered)
        #expect(faulted.contains { if case .eventStarted = $0 { true } else { false } }, "an event began during the fault")
        let resumed = run.after(Self.recovered)
        #expect(resumed.contains { if case .movieFinished = $0 { true } else { false } }, "movies are written again")

        try checkIndexAgreesWithFiles(node.layout)
    }

    /// Every movie on disk has a finished row, every movie row a file, and no partial file is left.
    func checkIndexAgreesWithFiles(_ layout: StorageLayout) throws {
        let index = try EventIndex(path: layout.indexPath, readOnly: true)
        let files = try layout.allMediaFiles()
        #expect(files.filter { layout.mediaKind(path: $0) == .partialMovie }.isEmpty, "partial files left: \(files)")
        let movies = Set(files.filter { layout.mediaKind(path: $0) == .movie })
        let rows = try index.events().flatMap { try index.movies(eventID: $0.id) }
        #expect(Set(rows.map(\.path)) == movies)
        #expect(rows.allSatisfy { $0.finished })
        #expect(!movies.isEmpty)
        // Reconciling again finds nothing to change.
        let check = try EventIndex(path: layout.indexPath)
        let report = try Recorder.reconcile(layout: layout, index: check)
        #expect(report.isClean, "\(report)")
    }

    @Test func aStorageFolderRemovedWhileRecordingIsToldAndRecordingResumesWhenItIsBack() async throws {
        let rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        let root = rig.storage.path
        let recreatedBySomeoneElse = Flag()
        let (outcome, node, script) = try await record(rig) { clock in
            StorageScript(clock: clock, steps: [
                .init(at: .seconds(100)) { try? FileManager.default.removeItem(atPath: root) },
                .init(at: .seconds(280)) {
                    recreatedBySomeoneElse.set(FileManager.default.fileExists(atPath: root))
                    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
                },
            ])
        }
        #expect(!recreatedBySomeoneElse.value, "nothing made the missing folder again while it was gone")
        let times = script.ranAt
        try #require(times.count == 2)
        try checkSurvived(outcome, node: node, fault: "storage folder \(root) is missing", window: (times[0], times[1]))
        #expect(node.storageFaults.began == ["missing": 1] && node.storageFaults.recoveries == 1)
    }

    @Test func aReadOnlyStorageIsToldAndRecordingResumesWhenItIsWritable() async throws {
        let rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        let root = rig.storage.path
        let window = Duration.seconds(100)..<Duration.seconds(280)
        let (outcome, node, script) = try await record(rig) { clock in
            // EROFS on every call that would change the file system, as a read-only remount gives.
            StorageScript(clock: clock, steps: [.init(at: window.lowerBound) {}, .init(at: window.upperBound) {}]) { call, elapsed in
                let changes = ["open", "write", "rename", "mkdir", "unlink", "rmdir", "fsync"].contains(call.name)
                return window.contains(elapsed) && changes && call.path.hasPrefix(root) ? EROFS : nil
            }
        }
        let times = script.ranAt
        try #require(times.count == 2)
        try checkSurvived(outcome, node: node, fault: "storage is read-only: \(root)", window: (times[0], times[1]))
        #expect(node.storageFaults.began == ["read-only": 1] && node.storageFaults.recoveries == 1)
    }

    @Test(.enabled(if: TinyFileSystem.isPermitted, "needs permission to mount (root)"))
    func anUnmountedStorageIsNeverWrittenUnderneathAndRecordingResumesWhenItIsMountedAgain() async throws {
        var rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        // The storage is a tmpfs bind-mounted at the root; the root's own folder lies underneath.
        let disk = try TinyFileSystem(kilobytes: 64 * 1024)
        defer { disk.unmount() }
        let root = rig.storage.file("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        try #require(mount(disk.path, root, nil, UInt(MS_BIND), nil) == 0, "bind mount: errno \(errno)")
        defer { _ = umount2(root, Int32(MNT_DETACH)) }
        rig.configuration.storage = root
        let (outcome, node, script) = try await record(rig) { clock in
            StorageScript(clock: clock, steps: [
                .init(at: .seconds(100)) { _ = umount2(root, Int32(MNT_DETACH)) },
                .init(at: .seconds(280)) { _ = mount(disk.path, root, nil, UInt(MS_BIND), nil) },
            ])
        }
        let times = script.ranAt
        try #require(times.count == 2)
        try checkSurvived(outcome, node: node, fault: "storage \(root) was unmounted", window: (times[0], times[1]))
        #expect(node.storageFaults.began == ["unmounted": 1] && node.storageFaults.recoveries == 1)
        // Nothing was written to the folder under the mount.
        #expect(umount2(root, Int32(MNT_DETACH)) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == [], "written under the vanished mount")
    }

    @Test(
        .enabled(if: TinyFileSystem.isPermitted, "needs permission to mount a tmpfs (root)"),
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs /usr/bin/sqlite3 to shrink the index's WAL"))
    func aFullDiskUnderTheIndexIsToldAndTheIndexCatchesUpWhenSpaceReturns() async throws {
        var rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        let disk = try TinyFileSystem(kilobytes: 16 * 1024)
        defer { disk.unmount() }
        let root = disk.file("root")
        rig.configuration.storage = root
        let filler = disk.file("filler")
        let (outcome, node, script) = try await record(rig) { clock in
            StorageScript(clock: clock, steps: [
                .init(at: .seconds(100)) {
                    // The WAL would reuse its pages: truncated, the index's next write needs new blocks.
                    _ = try? Tool.run("/usr/bin/sqlite3", [FileSystem.join(root, "index.sqlite"), "PRAGMA wal_checkpoint(TRUNCATE);"])
                },
                .init(at: .seconds(280)) { try? FileManager.default.removeItem(atPath: filler) },
            ]) { _, elapsed in
                // Kept full: a failed movie gives its pages back, which the index would take.
                if elapsed >= .seconds(100) && elapsed < .seconds(280) { disk.fill() }
                return nil
            }
        }
        let times = script.ranAt
        try #require(times.count == 2)
        try checkSurvived(outcome, node: node, fault: "index: disk full", window: (times[0], times[1]))
        #expect(node.storageFaults.began["index-full"] == 1 && node.storageFaults.recoveries >= 1)
    }
}
