import HAL
import Foundation
import Synchronization

extension VirtualClock {
    /// Makes the clock follow the wall clock, `speed` times faster, until the returned driver
    /// is stopped. For the simulated board outside tests: `vigil` on the sim board, and the
    /// pseudo-terminal bridge that paces bytes at the simulated baud in real time.
    public func runInRealTime(speed: Double = 1) -> RealTimeDriver {
        RealTimeDriver(clock: self, speed: speed)
    }
}

/// Advances a ``VirtualClock`` along with the wall clock on a thread of its own.
public final class RealTimeDriver: @unchecked Sendable {
    private let clock: VirtualClock
    private let speed: Double
    private let condition = NSCondition()
    private var stopped = false
    private var thread: Thread?

    init(clock: VirtualClock, speed: Double) {
        self.clock = clock
        self.speed = max(speed, 1e-6)
        let startVirtual = clock.now
        let startWall = SystemClock().now
        clock.onTimersChanged { [condition] in
            condition.lock()
            condition.signal()
            condition.unlock()
        }
        let thread = Thread { [self] in run(startVirtual: startVirtual, startWall: startWall) }
        thread.name = "vigil-virtual-clock"
        self.thread = thread
        thread.start()
    }

    private func virtualTarget(startVirtual: MonotonicInstant, startWall: MonotonicInstant) -> MonotonicInstant {
        let elapsed = Double(startWall.duration(to: SystemClock().now).nanoseconds) * speed
        return startVirtual.advanced(by: .nanoseconds(Int64(elapsed)))
    }

    private func run(startVirtual: MonotonicInstant, startWall: MonotonicInstant) {
        condition.lock()
        while !stopped {
            condition.unlock()
            clock.advance(to: virtualTarget(startVirtual: startVirtual, startWall: startWall))
            condition.lock()
            if stopped { break }
            // Sleep until the next timer is due in wall time, or a new timer arrives.
            var wait = 0.005
            if let next = clock.nextDeadline {
                let ahead = Double(clock.now.duration(to: next).nanoseconds) / 1e9 / speed
                wait = min(max(ahead, 0), 0.005)
            }
            if wait > 0 { _ = condition.wait(until: Date(timeIntervalSinceNow: wait)) }
        }
        condition.unlock()
    }

    /// Stops advancing the clock. Stopping twice is harmless.
    public func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
        clock.onTimersChanged(nil)
    }

    deinit { stop() }
}
