import Dispatch
import Glibc
import HAL
import Synchronization
import SystemCalls

/// Runs blocking waits on file descriptors away from Swift's cooperative thread pool.
///
/// Each waiter owns a thread of its own (never a shared dispatch queue, whose few threads other
/// blocking work could hold, starving this device's reads), so the waits of one device run one
/// at a time and in the order they were asked for, and a wake pipe through which ``interrupt()`` (a close or
/// release) or the cancellation of the waiting task ends a wait at once instead of at its
/// deadline. The work handed to ``run(_:)`` waits only through its ``WaitScope``.
final class DescriptorWaiter: Sendable {
    private let thread: WaitThread
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
            thread = try WaitThread(target: target)
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
    func run<Value: Sendable>(
        _ body: @escaping @Sendable (WaitScope) throws(HALError) -> Value
    ) async throws(HALError) -> Value {
        let scope = WaitScope(wakeDescriptor: wakeReader)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, HALError>, Never>) in
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

/// A thread of its own running the jobs handed to it one at a time, in order, until its owner
/// goes away.
final class WaitThread: Sendable {
    private final class Jobs: Sendable {
        let state = Mutex<(pending: [@Sendable () -> Void], stopped: Bool)>(([], false))
        let arrived = DispatchSemaphore(value: 0)

        func loop() {
            while true {
                arrived.wait()
                let (pending, stopped) = state.withLock { state in
                    defer { state.pending.removeAll() }
                    return (state.pending, state.stopped)
                }
                for job in pending { job() }
                if stopped { return }
            }
        }
    }

    private let jobs = Jobs()

    init(target: String) throws(HALError) {
        let context = Unmanaged.passRetained(jobs).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<Jobs>.fromOpaque(context).takeRetainedValue().loop()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Jobs>.fromOpaque(context).release()
            throw HALError.system(result, operation: "pthread_create", target: target)
        }
        pthread_detach(thread)
    }

    func async(_ job: @escaping @Sendable () -> Void) {
        jobs.state.withLock { $0.pending.append(job) }
        jobs.arrived.signal()
    }

    deinit {
        jobs.state.withLock { $0.stopped = true }
        jobs.arrived.signal()
    }
}
