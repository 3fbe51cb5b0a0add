import HAL
import Synchronization
import Foundation

/// Runs simulated code on virtual time, deterministically.
///
/// Every task of the simulation runs on one executor, driven by one thread. When no task can
/// run (all are waiting on the ``VirtualClock``), the clock jumps to the next timer. The
/// result is the same on every run and independent of the machine's speed.
///
/// Code under simulation must use structured concurrency (`async let`, task groups, actors):
/// an unstructured `Task {}` escapes to the global executor, outside virtual time.
public enum Simulation {
    /// Why a simulation stopped without finishing.
    public enum Failure: Error, CustomStringConvertible {
        /// Every task waits for something that has no deadline and nothing can wake them.
        case deadlock(at: MonotonicInstant)

        public var description: String {
            switch self {
            case .deadlock(let instant):
                "simulation deadlock at \(instant): every task waits and no timer is pending"
            }
        }
    }

    /// Runs `body` on virtual time and returns its result.
    ///
    /// - Parameters:
    ///   - speed: nil to run as fast as the machine can (tests); a number to pace virtual time
    ///     at that many times the wall clock (the simulated board in `vigil`, emulators on
    ///     pseudo-terminals). Paced runs still fire every timer at its exact virtual instant,
    ///     and wait for outside work (a pty, a signal) instead of reporting a deadlock.
    ///   - quietPeriod: unpaced, how long (real time) to wait for work arriving from outside
    ///     the simulation before declaring a deadlock.
    public static func run<T: Sendable>(
        clock: VirtualClock, speed: Double? = nil, quietPeriod: Duration = .seconds(2),
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let executor = SimulationExecutor()
        let outcome = Outcome<T>()
        let task = Task(executorPreference: executor) {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.value.withLock { $0 = result }
        }
        let finished: Result<T, any Error> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: executor.drive(clock: clock, speed: speed, quietPeriod: quietPeriod, task: task) {
                    outcome.value.withLock { $0 }
                })
            }
            thread.name = "vigil-simulation"
            thread.stackSize = 8 << 20
            thread.start()
        }
        return try finished.get()
    }
}

private final class Outcome<T: Sendable>: Sendable {
    let value = Mutex<Result<T, any Error>?>(nil)
}

final class SimulationExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = Mutex<[UnownedJob]>([])
    private let arrived = NSCondition()

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.withLock { $0.append(unowned) }
        arrived.lock()
        arrived.signal()
        arrived.unlock()
    }

    private func runQueuedJobs() -> Bool {
        var ran = false
        while true {
            let batch = queue.withLock { queue -> [UnownedJob] in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            if batch.isEmpty { return ran }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            ran = true
        }
    }

    func drive<T>(
        clock: VirtualClock, speed: Double?, quietPeriod: Duration, task: Task<Void, Never>,
        outcome: () -> Result<T, any Error>?
    ) -> Result<T, any Error> {
        var pace = speed.map { Pace(clock: clock, speed: $0) }
        if pace != nil {
            // A timer set from outside (a pty pump) may be due before the one we sleep for.
            clock.onTimersChanged { [arrived] in
                arrived.lock()
                arrived.signal()
                arrived.unlock()
            }
        }
        defer { clock.onTimersChanged(nil) }
        var cancelled = false
        while true {
            _ = runQueuedJobs()
            if let result = outcome() { return result }
            if var current = pace {
                // Fire what is due by the wall clock; otherwise sleep until the next timer is
                // due or work arrives from outside (a pty, another thread).
                let target = current.virtualNow()
                if let next = clock.nextDeadline, next <= target {
                    // Late by more than a moment (a busy machine)? Slip rather than rush:
                    // bytes must never pass faster than their baud.
                    if next.duration(to: target) > .milliseconds(50) * current.speed {
                        current = Pace(clock: clock, speed: current.speed, at: next)
                        pace = current
                    }
                    clock.fireNextTimer(notAfter: current.virtualNow())
                    continue
                }
                clock.advance(to: target)
                let wake = clock.nextDeadline.map(current.wallTime(of:)) ?? Date(timeIntervalSinceNow: 0.25)
                arrived.lock()
                if queue.withLock({ $0.isEmpty }) { _ = arrived.wait(until: min(wake, Date(timeIntervalSinceNow: 0.25))) }
                arrived.unlock()
                continue
            }
            if clock.fireNextTimer() { continue }
            // Nothing runnable and no timer: wait for work from outside the simulation.
            arrived.lock()
            let woke = queue.withLock { !$0.isEmpty } || arrived.wait(until: Date(timeIntervalSinceNow: quietPeriod.seconds))
            arrived.unlock()
            if !woke && queue.withLock({ $0.isEmpty }) {
                if cancelled { return .failure(Simulation.Failure.deadlock(at: clock.now)) }
                task.cancel()
                cancelled = true
            }
        }
    }
}

/// Maps virtual time to the wall clock for paced runs.
private struct Pace {
    let speed: Double
    let virtualStart: MonotonicInstant
    let wallStart = Date()

    /// Virtual time `start` (default: the clock's now) is now on the wall clock.
    init(clock: VirtualClock, speed: Double, at start: MonotonicInstant? = nil) {
        self.speed = max(speed, 1e-6)
        virtualStart = start ?? clock.now
    }

    func virtualNow() -> MonotonicInstant {
        virtualStart.advanced(by: .nanoseconds(Int64(Date().timeIntervalSince(wallStart) * speed * 1e9)))
    }

    func wallTime(of instant: MonotonicInstant) -> Date {
        wallStart.addingTimeInterval(Double(virtualStart.duration(to: instant).nanoseconds) / 1e9 / speed)
    }
}
