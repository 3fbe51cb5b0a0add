import HAL
import Synchronization

/// A change counter a driver's loop can wait on together with a deadline on its ``HALClock``.
///
/// The loop reads ``generation`` before looking at its state, then calls
/// ``wait(untilChangedFrom:deadline:clock:)``: a ``fire()`` in between is never lost. The wait
/// races the clock's sleep against the change in a task group, so it uses structured concurrency
/// only and runs on virtual time under the simulation like any other sleep.
final class Wakeup: Sendable {
    private enum Entry {
        case registered
        case waiting(CheckedContinuation<Void, Never>)
    }

    private struct State {
        var generation: UInt64 = 0
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
    }

    private let state = Mutex(State())

    /// Counts the fires so far.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every task waiting in ``wait(untilChangedFrom:deadline:clock:)``.
    func fire() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.entries.removeAll() }
            return state.entries.values.compactMap { entry in
                if case .waiting(let continuation) = entry { return continuation }
                return nil
            }
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until ``fire()`` is called after `generation` was read, `deadline` passes on `clock`,
    /// or the task is cancelled. Returns true when it fired.
    func wait(untilChangedFrom generation: UInt64, deadline: MonotonicInstant, clock: any HALClock) async -> Bool {
        if deadline == .distantFuture {
            await changed(from: generation)
        } else {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.changed(from: generation) }
                group.addTask { try? await clock.sleep(until: deadline, tolerance: nil) }
                await group.next()
                group.cancelAll()
            }
        }
        return self.generation != generation
    }

    /// Returns once the generation differs from `generation`, or the task is cancelled.
    private func changed(from generation: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            state.entries[state.nextID] = .registered
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state -> Bool in
                    // Gone: fired or cancelled since registering.
                    guard state.entries[id] != nil, state.generation == generation else {
                        state.entries[id] = nil
                        return false
                    }
                    state.entries[id] = .waiting(continuation)
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let entry = state.withLock { $0.entries.removeValue(forKey: id) }
            if case .waiting(let continuation) = entry { continuation.resume() }
        }
    }
}
