import Glibc
import HAL
import SystemCalls

/// Runs blocking waits on file descriptors away from Swift's cooperative thread pool.
///
/// Each waiter owns a thread of its own (never a shared dispatch queue, whose few threads other
/// blocking work could hold, starving this device's reads), so the waits of one device run one
/// at a time and in the order they were asked for, and a wake pipe through which ``interrupt()`` (a close or
/// release) or the cancellation of the waiting task ends a wait at once instead of at its
/// deadline. The work handed to ``run(_:)`` waits only through its ``WaitScope``.
final class DescriptorWaiter: Sendable {
    private let thread: ThreadExecutor
    private let wakeReader: Int32
    private let wakeWriter: Int32

    /// - Parameters:
    ///   - label: what the thread is for, for debuggers.
    ///   - target: the device the waits are for, named in errors.
    init(label: String, target: String) throws(HALError) {
        var ends: [Int32] = [-1, -1]
        try systemCall("pipe", target: target) { pipe(&ends) }
        do throws(HALError) {
            for end in ends { try makeNonBlockingAndCloseOnExec(end, target: target) }
        } catch {
            ends.forEach(closeDescriptor)
            throw error
        }
        do {
            thread = try ThreadExecutor(target: target)
        } catch {
            ends.forEach(closeDescriptor)
            throw error
        }
        wakeReader = ends[0]
        wakeWriter = ends[1]
    }

    deinit {
        closeDescriptor(wakeReader)
        closeDescriptor(wakeWriter)
    }

    /// Runs `body` on the private queue and returns its result. If the calling task is
    /// cancelled, the scope's waits throw ``HALError/Kind/cancelled``.
    ///
    /// Called from a thread of a ``ThreadExecutor`` (a camera's pipeline), `body` runs there
    /// instead: that thread may block, and staying on it saves two thread switches a call.
    func run<Value: Sendable>(
        _ body: @escaping @Sendable (WaitScope) throws(HALError) -> Value
    ) async throws(HALError) -> Value {
        let scope = WaitScope(wakeDescriptor: wakeReader)
        let inline = ThreadExecutor.isCurrentThreadDedicated
        let result = await withTaskCancellationHandler {
            if inline { return Result { () throws(HALError) -> Value in try body(scope) } }
            return await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, HALError>, Never>) in
                thread.async {
                    continuation.resume(returning: Result { () throws(HALError) -> Value in try body(scope) })
                }
            }
        } onCancel: {
            scope.cancel()
            self.interrupt()
        }
        return try result.get()
    }

    /// Ends the wait in progress, if any, with ``WaitScope/Outcome/interrupted`` so that it
    /// re-checks the state of its device (closed, released).
    func interrupt() {
        var byte: UInt8 = 1
        // A full pipe already holds a wake-up, so a failed write loses nothing.
        _ = try? systemCall("write", target: "wake pipe") { write(wakeWriter, &byte, 1) }
    }
}
