/// Bytes as upper-case hex, for traces and messages, the same for every camera protocol.
public enum Hex {
    /// A byte as two upper-case hex digits, such as `0A`.
    public static func byte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }

    /// Bytes as hex pairs separated by spaces, such as `AA 0D 00 00 00 00`.
    public static func bytes(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map(byte).joined(separator: " ")
    }
}

extension Array where Element == UInt8 {
    /// Drops the first `start` bytes, a decoder's consumed prefix, once they are all of the
    /// buffer or more than `threshold`; `start` becomes 0 when they go.
    mutating func dropConsumed(_ start: inout Int, threshold: Int) {
        if start > 0 && start == count {
            removeAll(keepingCapacity: true)
            start = 0
        } else if start > threshold {
            removeFirst(start)
            start = 0
        }
    }
}
