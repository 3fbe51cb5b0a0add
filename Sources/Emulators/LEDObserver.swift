import HAL
import HALSimulation

/// What an LED did over a stretch of time.
public enum LEDPattern: Sendable, Hashable, CustomStringConvertible {
    case off
    case on
    /// Blinking, with the average time from one switch-on to the next.
    case blinking(period: Duration)

    public var description: String {
        switch self {
        case .off: "off"
        case .on: "on"
        case .blinking(let period): "blinking every \(period.humanReadable)"
        }
    }
}

/// Watches a simulated output line wired to an LED (status LED, IR illuminator) and tells
/// what it showed, from the line's level history.
public struct LEDObserver: Sendable {
    public let chip: SimulatedGPIOChip
    public let offset: Int
    /// Whether the LED lights when the line is low.
    public let activeLow: Bool

    public init(chip: SimulatedGPIOChip, offset: Int, activeLow: Bool = false) {
        self.chip = chip
        self.offset = offset
        self.activeLow = activeLow
    }

    /// Whether the LED is lit now.
    public var isLit: Bool { chip.level(of: offset) != activeLow }

    /// The LED's pattern over the `window` that ends at `now`.
    public func pattern(over window: Duration, endingAt now: MonotonicInstant) -> LEDPattern {
        let start = now.advanced(by: .zero - window)
        let history = chip.history(of: offset)
        let before = history.last { $0.time <= start }
        let changes = history.filter { $0.time > start && $0.time <= now }
        let switchOns = changes.filter { $0.level != activeLow }.map(\.time)
        if switchOns.count >= 2 {
            let span = switchOns.first!.duration(to: switchOns.last!)
            return .blinking(period: span / (switchOns.count - 1))
        }
        let level = changes.last?.level ?? before?.level ?? false
        return level != activeLow ? .on : .off
    }
}
