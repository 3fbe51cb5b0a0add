/// A request from host to camera: `56 SN CMD LEN data...`.
public struct VC0706Request: Sendable, Hashable, CustomStringConvertible {
    public var serial: UInt8
    /// The command byte (a ``VC0706/Command`` raw value, or anything for malformed requests).
    public var command: UInt8
    public var data: [UInt8]

    public init(serial: UInt8 = 0, command: UInt8, data: [UInt8] = []) {
        self.serial = serial
        self.command = command
        self.data = data
    }

    public init(serial: UInt8 = 0, _ command: VC0706.Command, _ data: [UInt8] = []) {
        self.init(serial: serial, command: command.rawValue, data: data)
    }

    /// The bytes on the wire.
    public var encoded: [UInt8] { [VC0706.requestMark, serial, command, UInt8(truncatingIfNeeded: data.count)] + data }

    public var knownCommand: VC0706.Command? { VC0706.Command(rawValue: command) }

    public var description: String {
        (knownCommand?.description ?? "command 0x" + Hex.byte(command)) + " " + Hex.bytes(encoded)
    }

    // MARK: The requests the common host libraries send

    public static func getVersion(serial: UInt8 = 0) -> Self { Self(serial: serial, .genVersion) }
    public static func reset(serial: UInt8 = 0) -> Self { Self(serial: serial, .systemReset) }

    public static func setSerialNumber(_ number: UInt8, serial: UInt8 = 0) -> Self {
        Self(serial: serial, .setSerialNumber, [number])
    }

    /// SET_PORT for `baud`; nil if the camera has no divisor for it.
    public static func setPort(baud: Int, serial: UInt8 = 0) -> Self? {
        VC0706.baudCode(for: baud).map { Self(serial: serial, .setPort, [0x01, UInt8($0 >> 8), UInt8($0 & 0xFF)]) }
    }

    public static func readData(_ type: VC0706.MemoryType, address: UInt16, count: UInt8 = 1, serial: UInt8 = 0) -> Self {
        Self(serial: serial, .readData, [type.rawValue, count, UInt8(address >> 8), UInt8(address & 0xFF)])
    }

    public static func writeData(_ type: VC0706.MemoryType, address: UInt16, bytes: [UInt8], serial: UInt8 = 0) -> Self {
        Self(serial: serial, .writeData, [type.rawValue, UInt8(truncatingIfNeeded: bytes.count), UInt8(address >> 8), UInt8(address & 0xFF)] + bytes)
    }

    public static func setImageSize(_ size: VC0706.ImageSize, serial: UInt8 = 0) -> Self {
        writeData(.i2cEEPROM, address: VC0706.imageSizeAddress, bytes: [size.rawValue], serial: serial)
    }

    public static func setCompression(_ ratio: UInt8, serial: UInt8 = 0) -> Self {
        writeData(.chipRegister, address: VC0706.compressionAddress, bytes: [ratio], serial: serial)
    }

    public static func frameBufferControl(_ control: VC0706.FrameBufferControl, serial: UInt8 = 0) -> Self {
        Self(serial: serial, .frameBufferControl, [control.rawValue])
    }

    public static func getFrameBufferLength(_ frame: VC0706.FrameSelector = .current, serial: UInt8 = 0) -> Self {
        Self(serial: serial, .getFrameBufferLength, [frame.rawValue])
    }

    /// READ_FBUF of `length` bytes from `address`, with `delay` in units of 0.01 ms between
    /// the header, the data and the trailer. Control mode `0A`, as the common libraries send.
    public static func readFrameBuffer(address: UInt32, length: UInt32, delay: UInt16 = 0x000A, frame: VC0706.FrameSelector = .current, serial: UInt8 = 0) -> Self {
        Self(serial: serial, .readFrameBuffer, [frame.rawValue, 0x0A] + VC0706.bigEndianBytes(address) + VC0706.bigEndianBytes(length) + [UInt8(delay >> 8), UInt8(delay & 0xFF)])
    }

    public static func commMotionControl(enabled: Bool, serial: UInt8 = 0) -> Self {
        Self(serial: serial, .commMotionControl, [enabled ? 1 : 0])
    }

    public static func commMotionStatus(serial: UInt8 = 0) -> Self { Self(serial: serial, .commMotionStatus) }

    public static func motionControl(serial: UInt8 = 0) -> Self { Self(serial: serial, .motionControl, [0x00, 0x01, 0x01]) }
}

/// A reply from camera to host: `76 SN CMD STATUS LEN data...`.
public struct VC0706Reply: Sendable, Hashable, CustomStringConvertible {
    public var serial: UInt8
    public var command: UInt8
    public var status: UInt8
    public var data: [UInt8]

    public init(serial: UInt8 = 0, command: UInt8, status: UInt8 = 0, data: [UInt8] = []) {
        self.serial = serial
        self.command = command
        self.status = status
        self.data = data
    }

    public init(serial: UInt8 = 0, _ command: VC0706.Command, status: VC0706.Status = .ok, data: [UInt8] = []) {
        self.init(serial: serial, command: command.rawValue, status: status.rawValue, data: data)
    }

    public var encoded: [UInt8] {
        [VC0706.replyMark, serial, command, status, UInt8(truncatingIfNeeded: data.count)] + data
    }

    public var knownCommand: VC0706.Command? { VC0706.Command(rawValue: command) }
    public var knownStatus: VC0706.Status? { VC0706.Status(rawValue: status) }
    public var isOK: Bool { status == 0 }

    /// The camera's unprompted motion message.
    public static let motionDetected = VC0706Reply(.commMotionDetected)

    public var description: String {
        (knownCommand?.description ?? "command 0x" + Hex.byte(command)) + " reply, status "
            + (knownStatus?.description ?? "0x" + Hex.byte(status)) + ": " + Hex.bytes(encoded)
    }
}

extension VC0706 {
    /// A 32-bit value as the protocol sends it: four bytes, most significant first.
    public static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// The value of big-endian bytes (at most eight), such as GET_FBUF_LEN's length.
    public static func bigEndianValue(_ bytes: some Collection<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
