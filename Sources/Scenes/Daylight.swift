/// When it is day and when it is night, by wall-clock time of day.
///
/// Between `sunrise` and `sunset` the scene is lit by day, dimmer within `twilight` of either;
/// outside it is night: the camera's IR illuminator is on and the image is grey.
public struct Daylight: Sendable, Hashable {
    /// Time of day (since midnight) the night ends.
    public var sunrise: Duration
    /// Time of day the night begins.
    public var sunset: Duration
    /// How long after sunrise and before sunset the light is still dim.
    public var twilight: Duration

    public init(sunrise: Duration, sunset: Duration, twilight: Duration = .seconds(45 * 60)) {
        self.sunrise = sunrise
        self.sunset = sunset
        self.twilight = twilight
    }

    /// Day from 06:30 to 19:30.
    public static let standard = Daylight(sunrise: .seconds(6 * 3600 + 1800), sunset: .seconds(19 * 3600 + 1800))
    /// Never dark, never dim.
    public static let alwaysDay = Daylight(sunrise: .zero, sunset: .seconds(86_400), twilight: .zero)
    /// Always night.
    public static let alwaysNight = Daylight(sunrise: .zero, sunset: .zero, twilight: .zero)

    /// Whether it is night at `secondOfDay` (0..<86400).
    public func isDark(secondOfDay: Int) -> Bool {
        let second = Double(secondOfDay)
        return second < sunrise.seconds || second >= sunset.seconds
    }

    /// Daylight brightness at `secondOfDay`: 1 in full day, down to 0.55 at the edges of the
    /// twilight; 0 at night.
    public func brightness(secondOfDay: Int) -> Double {
        guard !isDark(secondOfDay: secondOfDay) else { return 0 }
        let second = Double(secondOfDay)
        let fromEdge = min(second - sunrise.seconds, sunset.seconds - second)
        let span = twilight.seconds
        guard span > 0, fromEdge < span else { return 1 }
        return 0.55 + 0.45 * fromEdge / span
    }
}
