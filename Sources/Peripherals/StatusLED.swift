import HAL
import Synchronization

/// A status LED on an output line, showing a ``BlinkPattern``.
///
/// ``run()`` drives the line, stepping through the pattern on the request's clock with deadlines
/// measured from the pattern's start (no drift). ``setPattern(_:)`` may be called from any task;
/// a different pattern takes effect at once (the loop is woken, not left to finish its step) and
/// starts from its first step. Setting the pattern already shown changes nothing, so a caller may
/// set it on every frame.
public final class StatusLED: Sendable {
    private let line: OutputLine
    private let clock: any HALClock
    private let shown: Mutex<BlinkPattern>
    private let lit = Mutex<Bool?>(nil)
    private let wakeup = Wakeup()

    /// An LED on `request`'s line at `offset` (default: its first), requested as an output.
    /// Throws ``HALError/Kind/invalidArgument`` for an input or an offset not in the request.
    public init(line request: any LineRequest, offset: Int? = nil, pattern: BlinkPattern = .off) throws(HALError) {
        line = try OutputLine(request, offset: offset, operation: "status-led")
        clock = request.clock
        shown = Mutex(pattern)
    }

    /// The pattern being shown.
    public var pattern: BlinkPattern { shown.withLock { $0 } }

    /// Whether the LED was last driven lit; nil before ``run()`` first drives it.
    public var isLit: Bool? { lit.withLock { $0 } }

    /// Shows `pattern` from its first step, at once; nothing happens when it is already shown.
    public func setPattern(_ pattern: BlinkPattern) {
        let changed = shown.withLock { shown in
            guard shown != pattern else { return false }
            shown = pattern
            return true
        }
        if changed { wakeup.fire() }
    }

    /// Drives the LED until the task is cancelled, then turns it off (ignoring a failure then).
    /// Throws the first failure to drive the line (a released request, a lost chip).
    public func run() async throws(HALError) {
        var current: BlinkPattern?
        var step = 0
        var stepStart = clock.now
        defer { if Task.isCancelled { try? drive(false) } }
        while !Task.isCancelled {
            let generation = wakeup.generation
            let pattern = self.pattern
            if pattern != current {
                current = pattern
                step = 0
                stepStart = clock.now
            }
            try drive(pattern.steps[step].lit)
            if pattern.isSteady {
                _ = await wakeup.wait(untilChangedFrom: generation, deadline: .distantFuture, clock: clock)
                continue
            }
            let deadline = stepStart.advanced(by: pattern.steps[step].duration)
            if await wakeup.wait(untilChangedFrom: generation, deadline: deadline, clock: clock) || Task.isCancelled {
                continue
            }
            step = (step + 1) % pattern.steps.count
            // Far behind (a stalled machine)? Start the step now rather than race through the missed ones.
            let now = clock.now
            stepStart = deadline.duration(to: now) > pattern.period ? now : deadline
        }
    }

    private func drive(_ value: Bool) throws(HALError) {
        guard isLit != value else { return }
        try line.set(value)
        lit.withLock { $0 = value }
    }
}
