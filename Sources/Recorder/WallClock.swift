import Foundation
import HAL

/// Turns monotonic instants (capture times, edge timestamps) into wall-clock dates, from one
/// reading of both clocks taken together. Monotonic time does not jump when the system clock is
/// set, so the recorder's times stay in order; in simulation the anchor ties virtual time to
/// the date the run began.
public struct WallClock: Sendable, Hashable {
    public let anchorDate: Date
    public let anchorInstant: MonotonicInstant

    public init(date: Date, instant: MonotonicInstant) {
        anchorDate = date
        anchorInstant = instant
    }

    /// Reads `clock` and the system's date now.
    public init(clock: any HALClock) {
        self.init(date: Date(), instant: clock.now)
    }

    /// The date of `instant`.
    public func date(at instant: MonotonicInstant) -> Date {
        anchorDate.addingTimeInterval(anchorInstant.duration(to: instant).seconds)
    }
}
