/// How a serial port frames and paces its bytes.
public struct SerialConfiguration: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Parity: String, Sendable, Hashable, Codable, CaseIterable { case none, odd, even }
    public enum StopBits: Int, Sendable, Hashable, Codable, CaseIterable { case one = 1, two = 2 }
    public enum FlowControl: String, Sendable, Hashable, Codable, CaseIterable {
        /// No flow control: every byte value passes, which binary camera traffic needs.
        case none
        /// XON/XOFF: the bytes 0x11 and 0x13 are taken by the line discipline.
        case software
        /// RTS/CTS hardware handshake.
        case hardware
    }

    /// Bits per second.
    public var baudRate: Int
    /// Data bits per character, 5 to 8.
    public var dataBits: Int
    public var parity: Parity
    public var stopBits: StopBits
    public var flowControl: FlowControl

    /// The baud rates every backend accepts.
    public static let standardBaudRates = [
        1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600,
    ]

    /// 8 data bits, no parity, one stop bit, no flow control (8N1), at `baudRate`.
    public init(
        baudRate: Int, dataBits: Int = 8, parity: Parity = .none, stopBits: StopBits = .one,
        flowControl: FlowControl = .none
    ) {
        self.baudRate = baudRate
        self.dataBits = dataBits
        self.parity = parity
        self.stopBits = stopBits
        self.flowControl = flowControl
    }

    /// Bits on the wire per character: start bit, data, parity and stop bits (10 for 8N1).
    public var bitsPerCharacter: Int {
        1 + dataBits + (parity == .none ? 0 : 1) + stopBits.rawValue
    }

    /// The time `byteCount` characters take on the wire at this configuration.
    /// Saturates rather than overflowing for a count read off the wire.
    public func wireTime(forBytes byteCount: Int) -> Duration {
        let bits = Int64(clamping: byteCount).multipliedReportingOverflow(by: Int64(clamping: bitsPerCharacter))
        let nanoseconds = bits.partialValue.multipliedReportingOverflow(by: 1_000_000_000)
        if bits.overflow { return .seconds(Int64.max) }
        if nanoseconds.overflow { return .seconds(bits.partialValue / Int64(clamping: max(baudRate, 1))) }
        return .nanoseconds(nanoseconds.partialValue / Int64(clamping: max(baudRate, 1)))
    }

    /// Throws `invalidArgument` naming the offending field if this configuration is impossible.
    public func validate(target: String? = nil) throws(HALError) {
        guard Self.standardBaudRates.contains(baudRate) else {
            throw HALError(
                .invalidArgument, operation: "configure-serial", target: target,
                message: "unsupported baud rate \(baudRate); use one of "
                    + Self.standardBaudRates.map(String.init).joined(separator: ", "))
        }
        guard (5...8).contains(dataBits) else {
            throw HALError(
                .invalidArgument, operation: "configure-serial", target: target,
                message: "data bits must be 5 to 8, not \(dataBits)")
        }
    }

    /// The conventional short form, such as `115200 8N1`.
    public var description: String {
        let p = parity == .none ? "N" : parity == .odd ? "O" : "E"
        var text = "\(baudRate) \(dataBits)\(p)\(stopBits.rawValue)"
        if flowControl != .none { text += " \(flowControl.rawValue) flow control" }
        return text
    }
}
