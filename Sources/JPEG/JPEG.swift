/// Helpers for JPEG byte streams that need no codec.
public enum JPEG {
    /// The start-of-image marker every JPEG stream begins with.
    public static let startOfImage: [UInt8] = [0xFF, 0xD8]
    /// The end-of-image marker every complete JPEG stream ends with.
    public static let endOfImage: [UInt8] = [0xFF, 0xD9]

    /// Whether `bytes` looks like a whole JPEG stream: it starts with FF D8 (SOI) and ends with
    /// FF D9 (EOI).
    ///
    /// This is the cheap check camera drivers make on a transferred frame; it does not parse
    /// or decode the stream (use ``JPEGCodec/info(_:)`` for that).
    public static func isComplete<Bytes: BidirectionalCollection>(_ bytes: Bytes) -> Bool
    where Bytes.Element == UInt8 {
        guard bytes.count >= 4 else { return false }
        var front = bytes.makeIterator()
        guard front.next() == 0xFF, front.next() == 0xD8 else { return false }
        let last = bytes.index(before: bytes.endIndex)
        return bytes[last] == 0xD9 && bytes[bytes.index(before: last)] == 0xFF
    }
}
