import Dispatch
import Glibc
import HAL
import Synchronization

/// A thread of its own that runs the work handed to it one piece at a time, in order: plain
/// closures (``async(_:)``) and, as a task executor, the parts of every task that prefers it
/// (`withTaskExecutorPreference`).
///
/// For work that must not wait for a thread of Swift's cooperative pool (a serial port's wait
/// and the code that resumes after it) and for work that must not hold one of the pool's few
/// threads for long (JPEG decoding, motion analysis, SQLite writes, file I/O). The thread ends
/// once the executor has been released and the work already handed to it has run.
public final class ThreadExecutor: TaskExecutor, Sendable {
    private enum Work: Sendable {
        case closure(@Sendable () -> Void)
        case job(UnownedJob, UnownedTaskExecutor)
    }

    private final class Queue: Sendable {
        let state = Mutex<(pending: [Work], stopped: Bool)>(([], false))
        let arrived = DispatchSemaphore(value: 0)

        func add(_ work: Work) {
            state.withLock { $0.pending.append(work) }
            arrived.signal()
        }

        func loop() {
            pthread_setspecific(ThreadExecutor.dedicatedKey, UnsafeRawPointer(bitPattern: 1))
            while true {
                arrived.wait()
                let (pending, stopped) = state.withLock { state in
                    defer { state.pending.removeAll(keepingCapacity: true) }
                    return (state.pending, state.stopped)
                }
                for work in pending {
                    switch work {
                    case .closure(let body): body()
                    case .job(let job, let executor): job.runSynchronously(on: executor)
                    }
                }
                if stopped { return }
            }
        }
    }

    private let queue = Queue()

    /// Marks the threads of executors, so that ``isCurrentThreadDedicated`` can tell them.
    private static let dedicatedKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether the calling thread is an executor's own: work on it may block (wait on a
    /// descriptor) without holding up Swift's cooperative pool, so it need not hop to another.
    public static var isCurrentThreadDedicated: Bool { pthread_getspecific(dedicatedKey) != nil }

    /// Starts the thread. Throws the error of `pthread_create` naming `target` (what the thread
    /// is for) if it cannot start.
    public init(target: String) throws(HALError) {
        let context = Unmanaged.passRetained(queue).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<Queue>.fromOpaque(context).takeRetainedValue().loop()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Queue>.fromOpaque(context).release()
            throw HALError.system(result, operation: "pthread_create", target: target)
        }
        pthread_detach(thread)
    }

    deinit {
        queue.state.withLock { $0.stopped = true }
        queue.arrived.signal()
    }

    /// Runs `body` on the thread after the work handed over before it.
    public func async(_ body: @escaping @Sendable () -> Void) {
        queue.add(.closure(body))
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        queue.add(.job(UnownedJob(job), asUnownedTaskExecutor()))
    }
}
