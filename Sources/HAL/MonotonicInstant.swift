/// A point on a monotonic timeline, in nanoseconds since the timeline's own epoch.
///
/// On Linux the epoch is that of `CLOCK_MONOTONIC`, the clock the kernel stamps GPIO edge
/// events with; in simulation it is the start of the simulation. Instants from different
/// clocks must not be compared.
public struct MonotonicInstant: InstantProtocol, Sendable, Hashable, Codable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The epoch of the timeline.
    public static let zero = MonotonicInstant(nanoseconds: 0)
    /// An instant later than any a clock will reach: a deadline that never passes.
    public static let distantFuture = MonotonicInstant(nanoseconds: .max)

    public func advanced(by duration: Duration) -> MonotonicInstant {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(duration.nanoseconds)
        if overflow { return duration > .zero ? .distantFuture : .zero }
        return MonotonicInstant(nanoseconds: sum)
    }

    public func duration(to other: MonotonicInstant) -> Duration {
        .nanoseconds(other.nanoseconds &- nanoseconds)
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Seconds since the epoch, for display.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public var description: String {
        self == .distantFuture ? "never" : String(format6: seconds) + "s"
    }
}

extension Duration {
    /// The whole duration in nanoseconds, saturating at the bounds of `Int64`.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension String {
    /// A decimal with six digits after the point, without Foundation.
    init(format6 value: Double) {
        let micros = Int64((abs(value) * 1e6).rounded())
        let fraction = String(micros % 1_000_000)
        self = (value < 0 ? "-" : "") + "\(micros / 1_000_000)."
            + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
