import Foundation
import Synchronization

/// The recorder's live status, updated by its tasks and read from any thread (the control
/// socket answers from here without waiting for the recording pipeline).
public final class StatusBoard: Sendable {
    private let state: Mutex<RecorderStatus>
    /// Whether each change sets ``RecorderStatus/statusLED`` from the cameras' states (see
    /// ``showStatusLEDPattern()``).
    private let showsPattern = Atomic<Bool>(false)
    /// How many recent errors are kept.
    static let errorLimit = 20

    public init(_ initial: RecorderStatus = RecorderStatus()) {
        state = Mutex(initial)
    }

    /// A copy of the status now.
    public var current: RecorderStatus { state.withLock { $0 } }

    /// Changes the status under the lock.
    public func update(_ body: (inout RecorderStatus) -> Void) {
        state.withLock { status in
            body(&status)
            showPattern(&status)
        }
    }

    /// From now on, every change sets ``RecorderStatus/statusLED`` to the pattern a status LED
    /// would show for the cameras' states: for a recorder with no LED and no illuminator,
    /// whose outputs loop (which would set it every quarter second) does not run.
    func showStatusLEDPattern() {
        showsPattern.store(true, ordering: .releasing)
        state.withLock { showPattern(&$0) }
    }

    private func showPattern(_ status: inout RecorderStatus) {
        guard showsPattern.load(ordering: .acquiring) else { return }
        let pattern = Recorder.statusLEDPattern(for: status.cameras.map(\.state)).description
        if status.statusLED != pattern { status.statusLED = pattern }
    }

    /// Changes one camera's status (added if new).
    public func updateCamera(_ name: String, _ body: (inout RecorderStatus.CameraStatus) -> Void) {
        state.withLock { status in
            if let index = status.cameras.firstIndex(where: { $0.name == name }) {
                body(&status.cameras[index])
            } else {
                var camera = RecorderStatus.CameraStatus(name: name)
                body(&camera)
                status.cameras.append(camera)
            }
            showPattern(&status)
        }
    }

    /// Records an error message (with the time) among the recent errors.
    public func noteError(_ message: String, at date: Date) {
        state.withLock { status in
            status.recentErrors.append("\(date.formatted(.iso8601)) \(message)")
            if status.recentErrors.count > Self.errorLimit {
                status.recentErrors.removeFirst(status.recentErrors.count - Self.errorLimit)
            }
        }
    }
}
