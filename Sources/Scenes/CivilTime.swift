/// A civil (proleptic Gregorian) date and time for the on-screen timestamp: a calendar value, not
/// a clock. Without Foundation and without time zones: the seconds are read as local time.
struct CivilTime: Sendable, Hashable {
    /// Seconds since 1970-01-01 00:00:00, within about ten thousand years of it.
    let secondsSince1970: Int64

    /// Clamps `secondsSince1970` to ten thousand years either side of 1970, far beyond any
    /// useful date, so that the calendar arithmetic cannot overflow.
    init(secondsSince1970: Int64) {
        let limit: Int64 = 10_000 * 366 * 86_400
        self.secondsSince1970 = min(max(secondsSince1970, -limit), limit)
    }

    var secondOfDay: Int {
        Int(((secondsSince1970 % 86_400) + 86_400) % 86_400)
    }

    /// `YYYY-MM-DD HH:MM:SS`.
    var timestamp: String {
        let days = (secondsSince1970 - Int64(secondOfDay)) / 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        let second = secondOfDay
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2)) "
            + "\(Self.pad(second / 3600, 2)):\(Self.pad(second / 60 % 60, 2)):\(Self.pad(second % 60, 2))"
    }

    /// Howard Hinnant's `civil_from_days`: the date `days` days after 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Howard Hinnant's `days_from_civil`: days from 1970-01-01 to the date.
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
