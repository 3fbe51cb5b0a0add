import HAL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local time of day to the second, `00:00:00` to `23:59:59`.
public struct TimeOfDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Seconds since midnight, 0..<86400.
    public let secondsSinceMidnight: Int

    public static let secondsPerDay = 86_400

    /// The time `seconds` after midnight, wrapped into one day (negative counts back from midnight).
    public init(secondsSinceMidnight seconds: Int) {
        let wrapped = seconds % Self.secondsPerDay
        secondsSinceMidnight = wrapped < 0 ? wrapped + Self.secondsPerDay : wrapped
    }

    /// nil unless `hour` is 0...23 and `minute` and `second` are 0...59.
    public init?(hour: Int, minute: Int, second: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        secondsSinceMidnight = hour * 3600 + minute * 60 + second
    }

    /// Parses `HH:MM` or `HH:MM:SS` (24-hour clock, one or two digits per field); nil for anything else.
    public init?(_ text: String) {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(fields.count),
            fields.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let hour = Int(fields[0]), let minute = Int(fields[1]), let second = fields.count == 3 ? Int(fields[2]) : 0
        else { return nil }
        self.init(hour: hour, minute: minute, second: second)
    }

    /// The local time of day now, by the system's wall clock and time zone.
    public static func now() -> TimeOfDay {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return TimeOfDay(secondsSinceMidnight: Int(parts.tm_hour) * 3600 + Int(parts.tm_min) * 60 + Int(parts.tm_sec))
    }

    /// Seconds from this time forward to `later`, wrapping past midnight: 0..<86400.
    public func seconds(until later: TimeOfDay) -> Int {
        TimeOfDay(secondsSinceMidnight: later.secondsSinceMidnight - secondsSinceMidnight).secondsSinceMidnight
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.secondsSinceMidnight < rhs.secondsSinceMidnight }

    /// `HH:MM`, or `HH:MM:SS` when the seconds are not zero.
    public var description: String {
        let hour = secondsSinceMidnight / 3600, minute = secondsSinceMidnight / 60 % 60, second = secondsSinceMidnight % 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return second == 0 ? "\(two(hour)):\(two(minute))" : "\(two(hour)):\(two(minute)):\(two(second))"
    }
}

/// A daily stretch of time from ``start`` (included) to ``end`` (excluded), crossing midnight when
/// `end` is earlier than `start` (19:00–07:00 covers the night).
public struct DailySchedule: Sendable, Hashable, Codable, CustomStringConvertible {
    public let start: TimeOfDay
    public let end: TimeOfDay

    /// Throws ``HALError/Kind/invalidArgument`` when `start` equals `end` (is that never or always?).
    public init(from start: TimeOfDay, to end: TimeOfDay) throws(HALError) {
        guard start != end else {
            throw HALError(
                .invalidArgument, operation: "schedule", target: "\(start)-\(end)",
                message: "the start and end are the same time; use on or off for always or never")
        }
        self.start = start
        self.end = end
    }

    /// Whether `time` falls in the stretch.
    public func contains(_ time: TimeOfDay) -> Bool {
        start < end ? (start <= time && time < end) : (time >= start || time < end)
    }

    /// Seconds from `time` to the next start or end of the stretch (1...86399).
    public func secondsToNextChange(from time: TimeOfDay) -> Int {
        contains(time) ? time.seconds(until: end) : time.seconds(until: start)
    }

    public var description: String { "\(start)-\(end)" }
}
