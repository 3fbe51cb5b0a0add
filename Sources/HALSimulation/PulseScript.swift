import HAL

/// A scripted input: drives a simulated line active for `hold`, then idle, roughly every
/// `period` (varied by up to ±`jitter` of the period, drawn from `seed`), like a PIR sensor
/// seeing someone walk past now and then. The scene-driven PIR of the emulators replaces it
/// where a scene exists.
public struct PulseScript: Sendable, Hashable {
    public var period: Duration
    public var hold: Duration
    public var jitter: Double
    public var seed: UInt64
    /// Whether the line is driven high (true) or low (false) while active.
    public var activeLevel: Bool

    public init(period: Duration, hold: Duration, jitter: Double = 0.25, seed: UInt64 = 1, activeLevel: Bool = true) {
        self.period = period
        self.hold = hold
        self.jitter = min(max(jitter, 0), 1)
        self.seed = seed
        self.activeLevel = activeLevel
    }

    /// The start times of the first `count` pulses after `start`.
    public func pulseStarts(from start: MonotonicInstant, count: Int) -> [MonotonicInstant] {
        var random = SeededRandom(seed: seed)
        var starts: [MonotonicInstant] = []
        var next = start
        for _ in 0..<count {
            let factor = 1 + jitter * (random.nextUnit() * 2 - 1)
            next = next.advanced(by: .nanoseconds(Int64(Double(period.nanoseconds) * factor)))
            starts.append(next)
            next = next.advanced(by: hold)
        }
        return starts
    }

    /// Drives `offset` of `chip` by the script until the task is cancelled; leaves the line
    /// idle when it ends.
    public func run(on chip: SimulatedGPIOChip, offset: Int, clock: VirtualClock) async {
        chip.drive(offset, to: !activeLevel)
        defer { chip.drive(offset, to: !activeLevel) }
        var random = SeededRandom(seed: seed)
        var next = clock.now
        do {
            while true {
                let factor = 1 + jitter * (random.nextUnit() * 2 - 1)
                next = next.advanced(by: .nanoseconds(Int64(Double(period.nanoseconds) * factor)))
                try await clock.sleep(until: next)
                chip.drive(offset, to: activeLevel)
                next = next.advanced(by: hold)
                try await clock.sleep(until: next)
                chip.drive(offset, to: !activeLevel)
            }
        } catch {
            return  // cancelled
        }
    }
}
