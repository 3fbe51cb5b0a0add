#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock every HAL component tells time and sleeps by.
///
/// Production code uses ``SystemClock``; the simulated backend supplies a virtual clock whose
/// sleeps and deadlines advance virtual time, so that hours of a node run in milliseconds.
/// Code that takes a `HALClock` must never sleep or read time any other way.
public protocol HALClock: Clock, Sendable where Instant == MonotonicInstant, Duration == Swift.Duration {}

extension HALClock {
    /// The instant `duration` from now: the usual way to build a deadline.
    public func deadline(after duration: Duration) -> MonotonicInstant {
        now.advanced(by: duration)
    }
}

/// The system's monotonic clock (`CLOCK_MONOTONIC`), the one the kernel stamps GPIO events with.
public struct SystemClock: HALClock {
    public init() {}

    public var now: MonotonicInstant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return MonotonicInstant(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Sleeps until `deadline`; throws `CancellationError` if the task is cancelled first.
    public func sleep(until deadline: MonotonicInstant, tolerance: Duration? = nil) async throws {
        let remaining = now.duration(to: deadline)
        if remaining > .zero {
            try await Task.sleep(for: remaining, tolerance: tolerance, clock: .continuous)
        }
    }
}
