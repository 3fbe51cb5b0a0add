/// Byte counts as people write them in configuration files: `500MB`, `20GB`, `1.5GiB`,
/// `4096` (a bare number is bytes).
public enum ByteCount {
    /// The largest count ``parse(_:)`` accepts: 1 PiB, more than any disk a node has, and far
    /// below `Int64.max`, so that sums and differences of a few such counts cannot overflow.
    public static let limit: Int64 = 1 << 50

    private static let units: [String: Double] = [
        "": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KiB": 1024, "MiB": 1_048_576,
        "GiB": 1_073_741_824, "TiB": 1_099_511_627_776,
    ]

    /// `text` as a whole number of bytes (rounded down), or nil if it is not a size, is
    /// negative, or exceeds ``limit``; checked before any conversion, so no text can overflow.
    public static func parse(_ text: String) -> Int64? {
        guard let bytes = value(of: text), bytes <= Double(limit) else { return nil }
        return Int64(bytes)
    }

    /// Why ``parse(_:)`` refuses `text`, for a message naming where it came from: "must be at
    /// most 1 PiB" or "must be a size such as 500MB, 20GB or 1.5GiB".
    public static func problem(_ text: String) -> String {
        value(of: text) == nil ? "must be a size such as 500MB, 20GB or 1.5GiB" : "must be at most 1 PiB"
    }

    /// The size in bytes as a non-negative `Double` (infinite for digits past its range), or nil.
    private static func value(of text: String) -> Double? {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let number = Double(digits), !number.isNaN, number >= 0,
            let unit = units[trimmed.dropFirst(digits.count).trimmingWhitespace()]
        else { return nil }
        return (number * unit).rounded(.down)
    }
}
