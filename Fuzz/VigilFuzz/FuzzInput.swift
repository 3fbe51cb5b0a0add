/// One input of libFuzzer, read front to back: a few leading bytes choose how a harness drives
/// the parser (split sizes, expected lengths), the rest is the data fed to it.
struct FuzzInput {
    private(set) var bytes: [UInt8]
    private var position = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes = Array(buffer)
    }

    /// The next byte, or 0 once the input is used up.
    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next two bytes, little-endian.
    mutating func uint16() -> UInt16 { UInt16(byte()) | UInt16(byte()) << 8 }

    /// Everything not read yet.
    var rest: ArraySlice<UInt8> { bytes[min(position, bytes.count)...] }

    /// The whole input as text (invalid UTF-8 repaired, as a file read as UTF-8 would be).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// `data` in pieces of 1...`maximum` bytes, their sizes drawn from `sizes` in turn.
    static func pieces(of data: ArraySlice<UInt8>, sizes seed: UInt8) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = data.startIndex
        var size = Int(seed % 31) + 1
        while start < data.endIndex {
            let end = min(start + size, data.endIndex)
            pieces.append(data[start..<end])
            start = end
            size = (size * 7 + 3) % 31 + 1
        }
        return pieces
    }
}

/// Stops the run with `message` as a finding (libFuzzer saves the input) when `condition` fails:
/// the harnesses' own checks of what the parsers promise.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz finding: \(message())") }
}
