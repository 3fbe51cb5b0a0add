/// Software debounce for one input line: a pure state machine shared by every backend that
/// has no debounce of its own.
///
/// Feed it every raw transition with ``observe(_:at:)``; it reports a transition only once the
/// line has held the new value for ``period``. A bounce back to the reported value within the
/// period cancels the change. A confirmed event carries the timestamp of the last raw
/// transition, the moment the line settled.
public struct Debouncer: Sendable, Hashable {
    public let period: Duration
    /// The value last reported (or the initial value).
    public private(set) var stableValue: Bool
    private var pending: (value: Bool, since: MonotonicInstant)?

    public init(period: Duration, initialValue: Bool) {
        self.period = period
        self.stableValue = initialValue
    }

    /// Records a raw transition of the line to `value` at `time`.
    public mutating func observe(_ value: Bool, at time: MonotonicInstant) {
        pending = value == stableValue ? nil : (value, time)
    }

    /// When a pending change will be confirmed if nothing else happens; nil if none is pending.
    public var confirmationDeadline: MonotonicInstant? {
        pending.map { $0.since.advanced(by: period) }
    }

    /// Confirms a pending change whose period has elapsed by `now`, returning the new value
    /// and the time the line settled; nil if there is nothing to confirm yet.
    public mutating func confirm(now: MonotonicInstant) -> (value: Bool, settledAt: MonotonicInstant)? {
        guard let pending, let deadline = confirmationDeadline, now >= deadline else { return nil }
        self.pending = nil
        stableValue = pending.value
        return (pending.value, pending.since)
    }

    public static func == (lhs: Debouncer, rhs: Debouncer) -> Bool {
        lhs.period == rhs.period && lhs.stableValue == rhs.stableValue
            && lhs.pending?.value == rhs.pending?.value && lhs.pending?.since == rhs.pending?.since
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(period)
        hasher.combine(stableValue)
        hasher.combine(pending?.value)
        hasher.combine(pending?.since)
    }
}

/// Turns raw logical transitions of a group of lines into the edge events their settings ask
/// for, debounced where the settings say so. Backends feed it and drain it.
public struct EdgeFilter: Sendable {
    public let detection: EdgeDetection
    private var debouncers: [Int: Debouncer]
    private var lastValue: [Int: Bool]

    /// - Parameter initialValues: each watched offset's logical value when watching starts.
    public init(settings: LineSettings, initialValues: [Int: Bool]) {
        detection = settings.edgeDetection
        lastValue = initialValues
        if let period = settings.debounce, period > .zero {
            debouncers = initialValues.mapValues { Debouncer(period: period, initialValue: $0) }
        } else {
            debouncers = [:]
        }
    }

    /// Records a raw transition; returns the event to report at once, if any (lines with
    /// debounce report later, through ``confirm(now:)``).
    public mutating func observe(offset: Int, value: Bool, at time: MonotonicInstant) -> EdgeEvent? {
        if debouncers[offset] != nil {
            debouncers[offset]!.observe(value, at: time)
            return nil
        }
        guard lastValue[offset] != value else { return nil }
        lastValue[offset] = value
        return detection.reports(transitionTo: value)
            ? EdgeEvent(kind: value ? .rising : .falling, offset: offset, timestamp: time) : nil
    }

    /// The earliest time a debounced change may be confirmed; nil if none is pending.
    public var nextConfirmation: MonotonicInstant? {
        debouncers.values.compactMap(\.confirmationDeadline).min()
    }

    /// Confirms every debounced change whose period has elapsed, in time order.
    public mutating func confirm(now: MonotonicInstant) -> [EdgeEvent] {
        var events: [EdgeEvent] = []
        for offset in debouncers.keys.sorted() {
            if let settled = debouncers[offset]!.confirm(now: now), detection.reports(transitionTo: settled.value) {
                events.append(EdgeEvent(kind: settled.value ? .rising : .falling, offset: offset, timestamp: settled.settledAt))
            }
        }
        return events.sorted { $0.timestamp < $1.timestamp }
    }
}
