import Synchronization

/// A one-way signal from any thread to the tasks that wait for it: once ``signal()`` is called,
/// every ``wait()``, now and later, returns.
public final class StopSignal: Sendable {
    private let state = Mutex<(signalled: Bool, waiters: [Int: CheckedContinuation<Void, Never>], next: Int)>((false, [:], 0))

    public init() {}

    /// Whether ``signal()`` has been called.
    public var isSignalled: Bool { state.withLock { $0.signalled } }

    /// Wakes every waiter, now and later.
    public func signal() {
        let waiters = state.withLock { state in
            state.signalled = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once ``signal()`` has been called (at once if it was), or when the waiting task
    /// is cancelled.
    public func wait() async {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.signalled || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
