import HAL

// Durations appear in JSON as the strings board files use (`20ms`, `45s`), not as Swift's
// default pair of integers.

extension KeyedEncodingContainer {
    mutating func encodeDurationIfPresent(_ duration: Duration?, forKey key: Key) throws {
        try encodeIfPresent(duration?.humanReadable, forKey: key)
    }
}

extension KeyedDecodingContainer {
    func decodeDurationIfPresent(forKey key: Key) throws -> Duration? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let duration = Duration(humanReadable: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(Duration.humanReadableProblem(text)), not '\(text)'")
        }
        return duration
    }
}
