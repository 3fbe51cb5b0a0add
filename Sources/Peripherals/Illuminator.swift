import HAL
import Synchronization

/// An infrared illuminator on an output line: off, on, on when the scene is dark, or on a daily
/// schedule.
///
/// - ``Mode/auto(_:)``: fed the scene's mean luma with ``observe(luma:)`` (0 black ... 255 white).
///   A dark illuminator switches on when a reading is below ``DarknessThresholds/onBelow``, a lit one
///   off when a reading is above ``DarknessThresholds/offAbove``; readings in between change nothing.
///   A switch waits until ``DarknessThresholds/minimumSwitchInterval`` has passed since the last one
///   (the light itself brightens the scene: without this it would flicker); it happens on the first
///   reading after that which still asks for it. Before the first reading it stays as it was.
/// - ``Mode/schedule(_:)``: on during the schedule's stretch of the day, by the local time the
///   `timeOfDay` closure reports. ``run()`` switches it at the stretch's ends, and looks again at
///   least every ``scheduleRecheck`` in case the wall clock jumped (NTP setting a board that has
///   no real-time clock).
/// - ``Mode/on``, ``Mode/off``: as told.
///
/// ``setMode(_:)`` applies a mode at once; ``run()`` must run for schedules to follow the clock.
public final class Illuminator: Sendable {
    /// When the illuminator is on.
    public enum Mode: Sendable, Hashable, CustomStringConvertible {
        case off
        case on
        case auto(DarknessThresholds)
        case schedule(DailySchedule)

        public var description: String {
            switch self {
            case .off: "off"
            case .on: "on"
            case .auto(let thresholds): "auto (on below \(thresholds.onBelow), off above \(thresholds.offAbove))"
            case .schedule(let schedule): "schedule \(schedule)"
            }
        }
    }

    /// The luma thresholds and pacing of ``Mode/auto(_:)``.
    public struct DarknessThresholds: Sendable, Hashable, Codable {
        public let onBelow: Double
        public let offAbove: Double
        public let minimumSwitchInterval: Duration

        /// Throws ``HALError/Kind/invalidArgument`` unless 0 ≤ `onBelow` < `offAbove` ≤ 255 and the
        /// interval is not negative.
        public init(onBelow: Double = 40, offAbove: Double = 70, minimumSwitchInterval: Duration = .seconds(60)) throws(HALError) {
            guard onBelow >= 0, onBelow < offAbove, offAbove <= 255 else {
                throw HALError(
                    .invalidArgument, operation: "illuminator", target: "auto",
                    message: "need 0 <= on-below < off-above <= 255, not on-below \(onBelow) and off-above \(offAbove)")
            }
            guard minimumSwitchInterval >= .zero else {
                throw HALError(
                    .invalidArgument, operation: "illuminator", target: "auto",
                    message: "the minimum switch interval must not be negative")
            }
            self.onBelow = onBelow
            self.offAbove = offAbove
            self.minimumSwitchInterval = minimumSwitchInterval
        }
    }

    /// What the illuminator is doing, for status reports.
    public struct Status: Sendable, Hashable {
        public var mode: Mode
        /// Whether the line is driven on.
        public var isOn: Bool
        /// When it last switched, on the line's clock; nil if it never has.
        public var lastSwitch: MonotonicInstant?
        /// The last luma reading, if any.
        public var luma: Double?
    }

    /// How often a schedule is looked at again even when no end of its stretch is due.
    public static let scheduleRecheck: Duration = .seconds(60)

    private struct State {
        var mode: Mode
        var isOn: Bool
        var lastSwitch: MonotonicInstant?
        var luma: Double?
    }

    private let line: OutputLine
    private let clock: any HALClock
    private let timeOfDay: @Sendable () -> TimeOfDay
    private let state: Mutex<State>
    private let wakeup = Wakeup()

    /// An illuminator on `request`'s line at `offset` (default: its first), requested as an output,
    /// starting in `mode`. `timeOfDay` tells the local time for schedules. The line is driven at once
    /// for ``Mode/on``, ``Mode/off`` and schedules; in ``Mode/auto(_:)`` it is left as requested until
    /// the first reading.
    public init(
        line request: any LineRequest, offset: Int? = nil, mode: Mode,
        timeOfDay: @escaping @Sendable () -> TimeOfDay = { TimeOfDay.now() }
    ) throws(HALError) {
        line = try OutputLine(request, offset: offset, operation: "illuminator")
        clock = request.clock
        self.timeOfDay = timeOfDay
        let isOn = try request.value(of: line.offset)
        state = Mutex(State(mode: mode, isOn: isOn))
        try apply()
    }

    /// The mode, whether it is on, when it last switched and the last reading.
    public var status: Status {
        state.withLock { Status(mode: $0.mode, isOn: $0.isOn, lastSwitch: $0.lastSwitch, luma: $0.luma) }
    }

    /// Whether the line is driven on.
    public var isOn: Bool { state.withLock { $0.isOn } }

    /// Changes the mode and applies it at once (in ``Mode/auto(_:)``, to the last reading if any).
    public func setMode(_ mode: Mode) throws(HALError) {
        state.withLock { $0.mode = mode }
        try apply()
        wakeup.fire()
    }

    /// Feeds a reading of the scene's mean luma (0...255); in ``Mode/auto(_:)`` it may switch the
    /// illuminator. Readings outside 0...255 (or not numbers) are ignored.
    public func observe(luma: Double) throws(HALError) {
        guard luma >= 0, luma <= 255 else { return }
        state.withLock { $0.luma = luma }
        try apply()
    }

    /// Follows schedules until the task is cancelled; returns then. Throws the first failure to
    /// drive the line.
    public func run() async throws(HALError) {
        while !Task.isCancelled {
            let generation = wakeup.generation
            try apply()
            var deadline = MonotonicInstant.distantFuture
            if case .schedule(let schedule) = state.withLock({ $0.mode }) {
                let wait = min(Duration.seconds(schedule.secondsToNextChange(from: timeOfDay())), Self.scheduleRecheck)
                deadline = clock.deadline(after: wait)
            }
            _ = await wakeup.wait(untilChangedFrom: generation, deadline: deadline, clock: clock)
        }
    }

    /// Drives the line to what the mode asks for now.
    private func apply() throws(HALError) {
        try state.withLock { state throws(HALError) in
            let now = clock.now
            let wanted: Bool
            switch state.mode {
            case .off: wanted = false
            case .on: wanted = true
            case .schedule(let schedule): wanted = schedule.contains(timeOfDay())
            case .auto(let thresholds):
                guard let luma = state.luma else { return }
                if state.isOn ? luma <= thresholds.offAbove : luma >= thresholds.onBelow { return }
                if let last = state.lastSwitch, last.duration(to: now) < thresholds.minimumSwitchInterval { return }
                wanted = !state.isOn
            }
            guard wanted != state.isOn else { return }
            try line.set(wanted)
            state.isOn = wanted
            state.lastSwitch = now
        }
    }
}
