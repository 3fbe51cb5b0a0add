import HAL

/// What a status LED shows: a sequence of lit and dark steps, repeated for as long as it is shown.
///
/// A pattern whose steps are all lit (or all dark) is steady: the LED stays that way. Every step
/// lasts a positive time; the sequence starts from its first step whenever the pattern is set.
public struct BlinkPattern: Sendable, Hashable, CustomStringConvertible {
    /// One step: the LED lit or dark for `duration`.
    public struct Step: Sendable, Hashable {
        public var lit: Bool
        public var duration: Duration

        public init(lit: Bool, duration: Duration) {
            self.lit = lit
            self.duration = duration
        }
    }

    /// A short name for status reports: `off`, `idle`, `recording`, `camera-lost`, `error` or the
    /// name given to a custom pattern.
    public let name: String
    /// The steps, shown in order and repeated.
    public let steps: [Step]

    /// A custom pattern. Throws ``HALError/Kind/invalidArgument`` when `steps` is empty or a step's
    /// duration is not positive.
    public init(name: String = "custom", steps: [Step]) throws(HALError) {
        guard !steps.isEmpty else {
            throw HALError(.invalidArgument, operation: "blink-pattern", target: name, message: "a pattern needs at least one step")
        }
        if let bad = steps.first(where: { $0.duration <= .zero }) {
            throw HALError(
                .invalidArgument, operation: "blink-pattern", target: name,
                message: "every step must last a positive time, not \(bad.duration)")
        }
        self.init(unchecked: name, steps)
    }

    private init(unchecked name: String, _ steps: [Step]) {
        self.name = name
        self.steps = steps
    }

    /// Lit for `on`, dark for `off`, repeated. Throws when either is not positive.
    public static func blink(name: String = "custom", on: Duration, off: Duration) throws(HALError) -> BlinkPattern {
        try BlinkPattern(name: name, steps: [Step(lit: true, duration: on), Step(lit: false, duration: off)])
    }

    /// Dark.
    public static let off = BlinkPattern(unchecked: "off", [Step(lit: false, duration: .seconds(1))])
    /// Watching, nothing happening: a 100 ms flash every 2 s.
    public static let idle = BlinkPattern(
        unchecked: "idle", [Step(lit: true, duration: .milliseconds(100)), Step(lit: false, duration: .milliseconds(1900))])
    /// Recording an event: steadily lit.
    public static let recording = BlinkPattern(unchecked: "recording", [Step(lit: true, duration: .seconds(1))])
    /// The camera does not answer: fast blinking at 4 Hz (125 ms lit, 125 ms dark).
    public static let cameraLost = BlinkPattern(
        unchecked: "camera-lost", [Step(lit: true, duration: .milliseconds(125)), Step(lit: false, duration: .milliseconds(125))])
    /// Something else is wrong (storage, configuration): three quick flashes, then 1 s dark.
    public static let error = BlinkPattern(
        unchecked: "error",
        [
            Step(lit: true, duration: .milliseconds(150)), Step(lit: false, duration: .milliseconds(150)),
            Step(lit: true, duration: .milliseconds(150)), Step(lit: false, duration: .milliseconds(150)),
            Step(lit: true, duration: .milliseconds(150)), Step(lit: false, duration: .milliseconds(1250)),
        ])

    /// Whether the LED never changes while this pattern is shown.
    public var isSteady: Bool { steps.allSatisfy { $0.lit == steps[0].lit } }

    /// The time one run through the steps takes.
    public var period: Duration { steps.reduce(.zero) { $0 + $1.duration } }

    public var description: String { name }
}
