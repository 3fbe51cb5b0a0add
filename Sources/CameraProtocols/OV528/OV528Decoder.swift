/// Splits the bytes either end of an OV528 link receives into six-byte messages and, on the
/// host's end, the image packages it asked for.
///
/// Feed bytes in any split with ``feed(_:)`` and take results with ``next()``. A run of bytes
/// where a message should start but no `AA` is comes out as ``Output/skipped(_:)`` (the camera
/// NAKs it: command header error). A message left incomplete (the sender went quiet) is
/// dropped by ``discardPartial()``, which the camera calls after an inter-byte timeout (and
/// NAKs: command length error).
///
/// After asking for a package, the host calls ``expectPackage(id:length:)``: the next `length`
/// bytes then come out whole as ``Output/package(_:)``, unchecked (see
/// ``OV528Package/decode(_:id:dataSize:)``), unless a NAK arrives in their place.
public struct OV528Decoder: Sendable {
    public enum Output: Sendable, Hashable {
        case message(OV528Message)
        /// This many bytes that began no message.
        case skipped(Int)
        /// The raw bytes of the package announced with ``expectPackage(id:length:)``.
        case package([UInt8])
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var expected: (id: UInt16, length: Int)?
    /// Bytes that began no message, in all.
    public private(set) var skippedBytes = 0

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Announces that package `id`, `length` bytes in all, comes next.
    public mutating func expectPackage(id: UInt16, length: Int) {
        expected = (id, max(length, 1))
    }

    /// Whether part of a message (or an expected package) has arrived and the rest has not.
    public var hasPartialMessage: Bool { start < buffer.count }

    /// Bytes held that have not been decoded yet.
    public var bufferedCount: Int { buffer.count - start }

    /// Drops what is buffered (a message cut short) and returns how many bytes that was.
    @discardableResult
    public mutating func discardPartial() -> Int {
        let dropped = buffer.count - start
        buffer.removeAll(keepingCapacity: true)
        start = 0
        return dropped
    }

    /// Forgets everything buffered and any expected package.
    public mutating func reset() {
        skippedBytes += discardPartial()
        expected = nil
    }

    /// The next complete result, or nil until more bytes arrive.
    public mutating func next() -> Output? {
        defer { compact() }
        let available = buffer.count - start
        if let package = expected {
            if available >= 2, buffer[start] == OV528.mark, buffer[start + 1] & 0x1F == OV528.Command.nak.rawValue,
               package.id != UInt16(buffer[start + 1]) << 8 | UInt16(OV528.mark) {
                // A NAK where the package should be: the camera refused the request.
                return takeMessage()
            }
            guard available >= package.length else { return nil }
            let bytes = Array(buffer[start..<(start + package.length)])
            start += package.length
            expected = nil
            return .package(bytes)
        }
        guard available > 0 else { return nil }
        if buffer[start] != OV528.mark {
            var run = 0
            while start + run < buffer.count, buffer[start + run] != OV528.mark { run += 1 }
            start += run
            skippedBytes += run
            return .skipped(run)
        }
        return takeMessage()
    }

    private mutating func takeMessage() -> Output? {
        guard buffer.count - start >= OV528.messageLength,
              let message = OV528Message(bytes: buffer[start..<(start + OV528.messageLength)]) else { return nil }
        start += OV528.messageLength
        return .message(message)
    }

    private mutating func compact() { buffer.dropConsumed(&start, threshold: 4096) }
}
