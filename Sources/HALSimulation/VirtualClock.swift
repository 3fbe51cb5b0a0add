import HAL
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A clock whose time moves only when the simulation moves it.
///
/// Sleeps and waits register timers; time jumps from one timer to the next, so an hour of
/// simulated node runs in milliseconds. Time is moved by ``Simulation/run(clock:_:)`` (which
/// advances whenever every simulated task is waiting), by ``advance(to:)`` from a test, or by
/// ``Simulation/run(clock:speed:quietPeriod:_:)`` with a speed (which follows the wall
/// clock, N times faster).
///
/// The clock also owns the wake-ups of the simulated world: ``SimulationSignal``s that a
/// waiting task can be woken by before its deadline.
public final class VirtualClock: HALClock, @unchecked Sendable {
    enum WakeReason: Sendable { case deadline, signalled, cancelled }

    struct Waiter {
        var deadline: MonotonicInstant
        var signal: UInt64?
        var continuation: CheckedContinuation<WakeReason, Never>
    }

    struct State {
        var now: MonotonicInstant
        var nextID: UInt64 = 1
        var waiters: [UInt64: Waiter] = [:]
        /// Finite deadlines, kept sorted by (deadline, id).
        var timers: [(deadline: MonotonicInstant, id: UInt64)] = []
        var cancelledBeforeWaiting: Set<UInt64> = []
        var signalGenerations: [UInt64: UInt64] = [:]
        var timersChanged: (@Sendable () -> Void)?

        mutating func allocateID() -> UInt64 {
            defer { nextID += 1 }
            return nextID
        }

        mutating func removeTimer(_ id: UInt64, deadline: MonotonicInstant) {
            guard deadline != .distantFuture else { return }
            var low = insertionIndex(deadline, 0)
            while low < timers.count, timers[low].deadline == deadline {
                if timers[low].id == id { timers.remove(at: low); return }
                low += 1
            }
        }

        func insertionIndex(_ deadline: MonotonicInstant, _ id: UInt64) -> Int {
            var low = 0, high = timers.count
            while low < high {
                let mid = (low + high) / 2
                if (timers[mid].deadline, timers[mid].id) < (deadline, id) { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }

    let state: Mutex<State>

    /// A clock that reads `start` until something advances it.
    public init(start: MonotonicInstant = .zero) {
        state = Mutex(State(now: start))
    }

    public var now: MonotonicInstant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Suspends until the clock reaches `deadline`; throws `CancellationError` if cancelled.
    public func sleep(until deadline: MonotonicInstant, tolerance: Duration? = nil) async throws {
        if await wait(until: deadline, signal: nil, generation: 0) == .cancelled {
            throw CancellationError()
        }
    }

    /// The earliest pending timer, if any.
    public var nextDeadline: MonotonicInstant? { state.withLock { $0.timers.first?.deadline } }

    /// Fires the earliest pending timer if it is due by `limit`, moving the clock to it.
    /// Returns false (leaving the clock where it is) if there is none.
    @discardableResult
    public func fireNextTimer(notAfter limit: MonotonicInstant = .distantFuture) -> Bool {
        let fired: CheckedContinuation<WakeReason, Never>? = state.withLock { state in
            guard let first = state.timers.first, first.deadline <= limit else { return nil }
            state.timers.removeFirst()
            state.now = max(state.now, first.deadline)
            return state.waiters.removeValue(forKey: first.id)?.continuation
        }
        fired?.resume(returning: .deadline)
        return fired != nil
    }

    /// Moves the clock to `instant`, firing every timer due by then in deadline order.
    /// Tasks woken run on their own executors; prefer ``Simulation/run(clock:_:)``, which
    /// lets woken tasks run before time moves on.
    public func advance(to instant: MonotonicInstant) {
        while fireNextTimer(notAfter: instant) {}
        state.withLock { $0.now = max($0.now, instant) }
    }

    /// Moves the clock forward by `duration`; see ``advance(to:)``.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Suspends until `deadline` or until `signal` moves past `generation`, whichever is first.
    func wait(until deadline: MonotonicInstant, signal: UInt64?, generation: UInt64) async -> WakeReason {
        let id = state.withLock { $0.allocateID() }
        // A cancellation that comes after the wake-up but before the task runs again finds
        // no waiter and leaves a mark: forget it, or marks pile up with every such wait.
        defer { state.withLock { _ = $0.cancelledBeforeWaiting.remove(id) } }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WakeReason, Never>) in
                let (immediate, notify): (WakeReason?, (@Sendable () -> Void)?) = state.withLock { state in
                    if state.cancelledBeforeWaiting.remove(id) != nil { return (.cancelled, nil) }
                    if let signal, state.signalGenerations[signal, default: 0] != generation { return (.signalled, nil) }
                    if deadline <= state.now { return (.deadline, nil) }
                    state.waiters[id] = Waiter(deadline: deadline, signal: signal, continuation: continuation)
                    if deadline != .distantFuture {
                        state.timers.insert((deadline, id), at: state.insertionIndex(deadline, id))
                    }
                    return (nil, state.timersChanged)
                }
                if let immediate { continuation.resume(returning: immediate) }
                notify?()
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelledBeforeWaiting.insert(id)
                    return nil
                }
                state.removeTimer(id, deadline: waiter.deadline)
                return waiter
            }
            waiter?.continuation.resume(returning: .cancelled)
        }
    }

    func makeSignal() -> UInt64 {
        state.withLock { state in
            let id = state.allocateID()
            state.signalGenerations[id] = 0
            return id
        }
    }

    func generation(of signal: UInt64) -> UInt64 {
        state.withLock { $0.signalGenerations[signal, default: 0] }
    }

    func fire(_ signal: UInt64) {
        let woken: [CheckedContinuation<WakeReason, Never>] = state.withLock { state in
            state.signalGenerations[signal, default: 0] &+= 1
            // In the order they started waiting, so that a simulation replays exactly.
            let ids = state.waiters.compactMap { $0.value.signal == signal ? $0.key : nil }.sorted()
            return ids.compactMap { id in
                guard let waiter = state.waiters.removeValue(forKey: id) else { return nil }
                state.removeTimer(id, deadline: waiter.deadline)
                return waiter.continuation
            }
        }
        for continuation in woken { continuation.resume(returning: .signalled) }
    }

    /// Whether any task is waiting on this clock (with or without a deadline).
    public var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Registers what to call when a timer is added (from any thread).
    func onTimersChanged(_ action: (@Sendable () -> Void)?) {
        state.withLock { $0.timersChanged = action }
    }
}

/// Something simulated tasks wait for, such as "bytes arrived" or "a line changed".
///
/// A waiter reads ``generation`` before checking its condition, then calls
/// ``wait(untilChangedFrom:deadline:)``: a ``fire()`` in between is never lost.
public struct SimulationSignal: Sendable {
    let clock: VirtualClock
    let id: UInt64

    public init(clock: VirtualClock) {
        self.clock = clock
        self.id = clock.makeSignal()
    }

    /// Counts the fires so far.
    public var generation: UInt64 { clock.generation(of: id) }

    /// Wakes every task waiting on this signal.
    public func fire() { clock.fire(id) }

    /// Waits until the signal fires after `generation` was read, or `deadline` passes.
    /// Returns true if it fired; throws `cancelled` if the task was cancelled.
    @discardableResult
    public func wait(untilChangedFrom generation: UInt64, deadline: MonotonicInstant) async throws(HALError) -> Bool {
        switch await clock.wait(until: deadline, signal: id, generation: generation) {
        case .signalled: return true
        case .deadline: return false
        case .cancelled: throw HALError(.cancelled, operation: "wait")
        }
    }
}
