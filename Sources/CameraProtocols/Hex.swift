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
