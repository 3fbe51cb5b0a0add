/// Splits the bytes a host receives from a VC0706 into replies, image data, the boot banner's
/// lines and the camera's unprompted motion messages.
///
/// Feed bytes in any split with ``feed(_:)`` and take results with ``next()``. After sending
/// READ_FBUF for `n` bytes, call ``expectImageData(length:)``: the decoder then hands back the
/// header reply, the `n` image bytes as they arrive (in pieces), and the trailer reply. Bytes
/// that fit nothing are counted in ``discardedBytes`` and skipped: the decoder resynchronises
/// on the next `76` or text line.
public struct VC0706ReplyDecoder: Sendable {
    public enum Output: Sendable, Hashable {
        case reply(VC0706Reply)
        /// The camera's unprompted COMM_MOTION_DETECTED.
        case motionDetected
        /// A piece of READ_FBUF's image data, in order.
        case imageData([UInt8])
        /// A line of text, such as the boot banner's `Init end` (without CR LF).
        case text(String)
    }

    private enum Phase: Sendable, Hashable {
        case replies
        case awaitingImageHeader(length: Int)
        case image(remaining: Int)
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var phase = Phase.replies
    public private(set) var discardedBytes = 0

    /// The longest text line kept; longer runs of printable bytes are noise.
    public static let maximumLineLength = 80

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Announces that the next READ_FBUF header reply is followed by `length` image bytes.
    public mutating func expectImageData(length: Int) {
        phase = .awaitingImageHeader(length: length)
    }

    /// Forgets everything buffered and any expected image data.
    public mutating func reset() {
        discardedBytes += buffer.count - start
        buffer.removeAll(keepingCapacity: true)
        start = 0
        phase = .replies
    }

    /// Bytes held that have not been decoded yet.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func next() -> Output? {
        defer { compact() }
        if case .image(let remaining) = phase {
            let available = min(remaining, buffer.count - start)
            guard available > 0 else { return nil }
            let piece = Array(buffer[start..<(start + available)])
            start += available
            phase = remaining == available ? .replies : .image(remaining: remaining - available)
            return .imageData(piece)
        }
        while start < buffer.count {
            let byte = buffer[start]
            if byte == VC0706.replyMark {
                guard buffer.count - start >= 5 else { return nil }
                let length = Int(buffer[start + 4])
                guard buffer.count - start >= 5 + length else { return nil }
                let reply = VC0706Reply(
                    serial: buffer[start + 1], command: buffer[start + 2], status: buffer[start + 3],
                    data: Array(buffer[(start + 5)..<(start + 5 + length)]))
                start += 5 + length
                if reply.command == VC0706.Command.commMotionDetected.rawValue { return .motionDetected }
                if case .awaitingImageHeader(let imageLength) = phase,
                   reply.command == VC0706.Command.readFrameBuffer.rawValue, reply.isOK {
                    phase = imageLength > 0 ? .image(remaining: imageLength) : .replies
                }
                return .reply(reply)
            }
            if let line = takeLine() { return line }
            if isPrintable(byte) && buffer.count - start < Self.maximumLineLength && !buffer[start...].contains(VC0706.replyMark) {
                return nil  // a text line may still be arriving
            }
            start += 1
            discardedBytes += 1
        }
        return nil
    }

    /// A complete CR LF line of printable text at the start of the buffer, if there is one.
    private mutating func takeLine() -> Output? {
        var index = start
        while index < buffer.count, index - start <= Self.maximumLineLength {
            let byte = buffer[index]
            if byte == 0x0D || byte == 0x0A {
                guard index > start else { return nil }
                let text = String(decoding: buffer[start..<index], as: UTF8.self)
                index += 1
                if byte == 0x0D, index < buffer.count, buffer[index] == 0x0A { index += 1 }
                start = index
                return .text(text)
            }
            guard isPrintable(byte) else { return nil }
            index += 1
        }
        return nil
    }

    private func isPrintable(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x7F && byte != VC0706.replyMark }

    private mutating func compact() { buffer.dropConsumed(&start, threshold: 65536) }
}
