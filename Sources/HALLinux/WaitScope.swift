import CPosix
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
    /// The wait ends as close to the deadline as the system allows (`ppoll`, to the
    /// nanosecond), never before it, so that a read woken when its bytes are due is neither
    /// early nor late by a millisecond's rounding. Never returns ``Outcome/deadlinePassed``
    /// before the deadline. Throws ``HALError/Kind/cancelled`` naming `operation` and `target`
    /// once the work is cancelled.
    func wait(
        for descriptors: [pollfd], until deadline: MonotonicInstant, operation: String, target: String
    ) throws(HALError) -> Outcome {
        let clock = SystemClock()
        var polled: [pollfd] = []
        polled.reserveCapacity(descriptors.count + 1)
        polled += descriptors
        polled.append(pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0))
        let wakeIndex = descriptors.count
        while true {
            try checkCancellation(operation: operation, target: target)
            let now = clock.now
            guard now < deadline else { return .deadlinePassed }
            let timeout = Self.pollTimeout(from: now, to: deadline)
            for index in polled.indices { polled[index].revents = 0 }
            try systemCall("ppoll", target: target) { vigil_poll_nanoseconds(&polled, nfds_t(polled.count), timeout) }
            let woken = polled[wakeIndex].revents != 0
            if woken {
                drainWakeUps()
                try checkCancellation(operation: operation, target: target)
            }
            if polled[..<wakeIndex].contains(where: { $0.revents != 0 }) { return .ready(Array(polled[..<wakeIndex])) }
            if woken { return .interrupted }
        }
    }

    /// Sleeps until `deadline` (as closely as ``wait(for:until:operation:target:)`` ends) unless
    /// interrupted or cancelled first.
    func sleep(until deadline: MonotonicInstant, operation: String, target: String) throws(HALError) {
        _ = try wait(for: [], until: deadline, operation: operation, target: target)
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

    /// The `ppoll` timeout, in nanoseconds, that reaches `deadline`; -1 (forever) for
    /// ``MonotonicInstant/distantFuture``.
    static func pollTimeout(from now: MonotonicInstant, to deadline: MonotonicInstant) -> Int64 {
        if deadline == .distantFuture { return -1 }
        return Int64(max(now.duration(to: deadline).nanoseconds, 0))
    }
}

/// A flag set once, from any thread.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
