extension ScalingFactor: LosslessStringConvertible, Codable {
    /// Parses `n/d` (`1/8`, `3/4`) or a whole number `n`, without spaces; nil unless both parts
    /// are positive integers. Whether the decoder supports the factor is checked when it is used.
    public init?(_ description: String) {
        let parts = description.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
            let numerator = Int(parts[0]),
            let denominator = parts.count == 2 ? Int(parts[1]) : 1
        else { return nil }
        self.init(numerator, denominator)
    }

    /// Decodes the `n/d` text ``description`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let factor = ScalingFactor(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a scaling factor such as 1/8")
        }
        self = factor
    }

    /// Encodes as the text `n/d`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
