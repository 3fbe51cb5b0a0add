import Glibc
import HAL
import Synchronization
import SystemCalls

/// What one piece of work run by a ``DescriptorWaiter`` may do: wait on descriptors until a
/// deadline, woken early by ``DescriptorWaiter/interrupt()`` and ended by the cancellation of
/// the task that asked for the work.
struct WaitScope: Sendable {
    /// How a wait ended.
    enum Outcome {
        /// At least one descriptor has events: every descriptor waited on, with its `revents`.
        case ready([pollfd])
        /// The deadline passed with no descriptor ready.
        case deadlinePassed
        /// The waiter was interrupted: the caller re-checks its device and waits again.
        case interrupted
    }

    private let wakeDescriptor: Int32
    private let cancelled = CancellationFlag()

    init(wakeDescriptor: Int32) {
        self.wakeDescriptor = wakeDescriptor
    }

    /// Marks the work as cancelled; its current and later waits throw.
    func cancel() { cancelled.set() }

    /// Waits until one of `descriptors` reports one of its requested events, `deadline`
    /// passes (on ``SystemClock``) or the waiter is interrupted.
    ///
    /// Never returns ``Outcome/deadlinePassed`` before the deadline. Throws
    /// ``HALError/Kind/cancelled`` naming `operation` and `target` once the work is cancelled.
    func wait(
        for descriptors: [pollfd], until deadline: MonotonicInstant, operation: String, target: String
    ) throws(HALError) -> Outcome {
        let clock = SystemClock()
        var polled = descriptors + [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        let wakeIndex = descriptors.count
        while true {
            try checkCancellation(operation: operation, target: target)
            let now = clock.now
            guard now < deadline else { return .deadlinePassed }
            let timeout = Self.pollTimeout(from: now, to: deadline)
            for index in polled.indices { polled[index].revents = 0 }
            try systemCall("poll", target: target) { poll(&polled, nfds_t(polled.count), timeout) }
            let woken = polled[wakeIndex].revents != 0
            if woken {
                drainWakeUps()
                try checkCancellation(operation: operation, target: target)
            }
            let watched = Array(polled[..<wakeIndex])
            if watched.contains(where: { $0.revents != 0 }) { return .ready(watched) }
            if woken { return .interrupted }
        }
    }

    /// Sleeps until `deadline` unless interrupted or cancelled first.
    func sleep(until deadline: MonotonicInstant, operation: String, target: String) throws(HALError) {
        _ = try wait(for: [], until: deadline, operation: operation, target: target)
    }

    /// Sleeps until `deadline` as closely as the system allows: whole milliseconds waiting as
    /// ``sleep(until:operation:target:)`` does (ended early by an interrupt, throwing once
    /// cancelled), the last fraction of a millisecond in `nanosleep`, so that a read woken
    /// when its bytes are due is not late by `poll`'s rounding.
    func sleepPrecisely(until deadline: MonotonicInstant, operation: String, target: String) throws(HALError) {
        let clock = SystemClock()
        let milliseconds = clock.now.duration(to: deadline).nanoseconds / 1_000_000
        if milliseconds > 0 {
            let outcome = try wait(for: [], until: clock.now.advanced(by: .milliseconds(milliseconds)), operation: operation, target: target)
            if case .interrupted = outcome { return }
        }
        let rest = clock.now.duration(to: deadline).nanoseconds
        if rest > 0 {
            var pause = timespec(tv_sec: 0, tv_nsec: Int(min(rest, 999_999_999)))
            try systemCall("nanosleep", target: target) { nanosleep(&pause, nil) }
        }
    }

    private func checkCancellation(operation: String, target: String) throws(HALError) {
        if cancelled.isSet {
            throw HALError(.cancelled, operation: operation, target: target, message: "the waiting task was cancelled")
        }
    }

    private func drainWakeUps() {
        var buffer = [UInt8](repeating: 0, count: 64)
        var count = buffer.count
        while count == buffer.count {
            count = (try? systemCall("read", target: "wake pipe") { read(wakeDescriptor, &buffer, buffer.count) }) ?? 0
        }
    }

    /// The `poll` timeout that reaches `deadline`, rounded up to whole milliseconds so that
    /// poll never returns before it; -1 (forever) for ``MonotonicInstant/distantFuture``.
    static func pollTimeout(from now: MonotonicInstant, to deadline: MonotonicInstant) -> Int32 {
        if deadline == .distantFuture { return -1 }
        let nanoseconds = max(now.duration(to: deadline).nanoseconds, 0)
        let (milliseconds, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000)
        return Int32(clamping: milliseconds + (remainder > 0 ? 1 : 0))
    }
}

/// A flag set once, from any thread.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
