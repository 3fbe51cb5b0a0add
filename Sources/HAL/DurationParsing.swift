extension Duration {
    /// Parses a human duration: a number followed by a unit, such as `90s`, `5m`, `1h`,
    /// `250ms`, `1.5h` or `2d`. A bare number is seconds. Returns nil for anything else,
    /// including a duration longer than ``humanReadableLimit`` (checked before any conversion,
    /// so no text can overflow).
    public init?(humanReadable text: String) {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(digits.count).trimmingWhitespace()
        guard !digits.isEmpty, let value = Double(digits), value.isFinite, value >= 0 else { return nil }
        let seconds: Double
        switch unit {
        case "ns": seconds = value / 1e9
        case "us", "µs": seconds = value / 1e6
        case "ms": seconds = value / 1e3
        case "", "s", "sec": seconds = value
        case "m", "min": seconds = value * 60
        case "h": seconds = value * 3600
        case "d": seconds = value * 86400
        default: return nil
        }
        let nanoseconds = (seconds * 1e9).rounded()
        guard nanoseconds.isFinite, nanoseconds <= Double(Self.humanReadableLimit.nanoseconds) else { return nil }
        self = .nanoseconds(Int64(nanoseconds))
    }

    /// The longest duration ``init(humanReadable:)`` accepts: 100 years, far beyond any
    /// timeout, debounce or recording length a node can mean, and far below the 292 years
    /// of nanoseconds an `Int64` holds, so sums of a few such durations cannot overflow.
    public static let humanReadableLimit = Duration.seconds(100 * 365 * 86400)

    /// Why `text` is not a duration ``init(humanReadable:)`` accepts, for an error message
    /// naming where it came from: "must be at most 100 years" or "must be a duration such as
    /// 20ms, 90s, 5m or 1h".
    public static func humanReadableProblem(_ text: String) -> String {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        if !digits.isEmpty, let value = Double(digits), !value.isNaN, value >= 0,
            Duration(humanReadable: "1" + trimmed.dropFirst(digits.count)) != nil
        {
            return "must be at most 100 years"
        }
        return "must be a duration such as 20ms, 90s, 5m or 1h"
    }

    /// A compact human form such as `90s`, `5m`, `1h30m` or `250ms`.
    public var humanReadable: String {
        let ns = nanoseconds
        if ns % 1_000_000_000 != 0 || ns == 0 {
            if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
            if ns % 1_000 == 0 { return "\(ns / 1_000)us" }
            return "\(ns)ns"
        }
        var seconds = ns / 1_000_000_000
        var parts = ""
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where seconds >= size {
            parts += "\(seconds / size)\(unit)"
            seconds %= size
        }
        if seconds > 0 || parts.isEmpty { parts += "\(seconds)s" }
        return parts
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

extension Duration {
    /// `seconds` as a duration, or nil unless it is finite, zero or more, and at most
    /// ``humanReadableLimit``: for a number of seconds from outside (a file, a peer), which a
    /// plain conversion to `Int64` would trap on.
    public init?(checkedSeconds seconds: Double) {
        guard seconds.isFinite, seconds >= 0, seconds <= Duration.humanReadableLimit.seconds else { return nil }
        self = .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}

extension Int {
    /// `value` rounded towards zero, clamped to `Int`'s range; 0 for NaN. For figures only
    /// shown (rates, estimates), where a plain conversion would trap on infinity.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= Double(Int.max) {
            self = .max
        } else if value <= Double(Int.min) {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
