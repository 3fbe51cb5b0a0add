/// Splits the bytes a VC0706 receives into requests, as the module's firmware does.
///
/// Feed bytes in any split with ``feed(_:)`` and take results with ``next()``. Bytes before a
/// `56` are skipped. A request whose length byte does not fit its command is rejected with
/// `wrong data length` and decoding resumes at the byte after its `56`, so a truncated
/// request followed by a good one costs only the truncated one. An unknown command is rejected
/// with `command not received` once its data has arrived. A request left incomplete (the
/// host stopped sending) is dropped by ``discardPartial()``, which the firmware calls after an
/// inter-byte timeout.
public struct VC0706RequestDecoder: Sendable {
    /// What the decoder made of the bytes.
    public enum Output: Sendable, Hashable {
        case request(VC0706Request)
        /// A request the firmware must answer with a non-zero status.
        case rejected(serial: UInt8, command: UInt8, status: VC0706.Status)
    }

    /// The longest data an unknown command may carry before its length byte is taken as noise.
    public static let maximumUnknownLength = 16

    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes skipped while hunting for a request.
    public private(set) var skippedBytes = 0

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Whether part of a request has arrived and the rest has not.
    public var hasPartialRequest: Bool { start < buffer.count }

    /// Drops a partial request (after the host went quiet mid-request).
    public mutating func discardPartial() {
        skippedBytes += buffer.count - start
        buffer.removeAll(keepingCapacity: true)
        start = 0
    }

    /// The next complete result, or nil until more bytes arrive.
    public mutating func next() -> Output? {
        defer { compact() }
        while start < buffer.count {
            guard buffer[start] == VC0706.requestMark else {
                start += 1
                skippedBytes += 1
                continue
            }
            guard buffer.count - start >= 4 else { return nil }
            let serial = buffer[start + 1], command = buffer[start + 2], length = Int(buffer[start + 3])
            let known = VC0706.Command(rawValue: command)
            if let known, !known.acceptedLengths.contains(length) {
                start += 1  // resync on the byte after this 56
                return .rejected(serial: serial, command: command, status: .wrongDataLength)
            }
            if known == nil && length > Self.maximumUnknownLength {
                start += 1
                return .rejected(serial: serial, command: command, status: .commandNotReceived)
            }
            guard buffer.count - start >= 4 + length else { return nil }
            let data = Array(buffer[(start + 4)..<(start + 4 + length)])
            start += 4 + length
            guard known != nil else { return .rejected(serial: serial, command: command, status: .commandNotReceived) }
            return .request(VC0706Request(serial: serial, command: command, data: data))
        }
        return nil
    }

    private mutating func compact() { buffer.dropConsumed(&start, threshold: 4096) }
}
