/// One six-byte OV528 command or reply: `AA ID P1 P2 P3 P4`, with the camera address in the
/// top three bits of ID.
public struct OV528Message: Sendable, Hashable, CustomStringConvertible {
    /// The command ID (the low five bits of the ID byte): a ``OV528/Command`` raw value, or
    /// anything for malformed messages.
    public var command: UInt8
    /// The camera address, 0...7 (the top three bits of the ID byte).
    public var address: UInt8
    public var p1: UInt8
    public var p2: UInt8
    public var p3: UInt8
    public var p4: UInt8

    public init(command: UInt8, address: UInt8 = 0, _ p1: UInt8 = 0, _ p2: UInt8 = 0, _ p3: UInt8 = 0, _ p4: UInt8 = 0) {
        self.command = command & 0x1F
        self.address = address & 0x07
        self.p1 = p1
        self.p2 = p2
        self.p3 = p3
        self.p4 = p4
    }

    public init(_ command: OV528.Command, address: UInt8 = 0, _ p1: UInt8 = 0, _ p2: UInt8 = 0, _ p3: UInt8 = 0, _ p4: UInt8 = 0) {
        self.init(command: command.rawValue, address: address, p1, p2, p3, p4)
    }

    /// Reads a message from six bytes starting with `AA`; nil if they are not one.
    public init?(bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == OV528.messageLength, bytes[0] == OV528.mark else { return nil }
        self.init(command: bytes[1] & 0x1F, address: bytes[1] >> 5, bytes[2], bytes[3], bytes[4], bytes[5])
    }

    /// The bytes on the wire.
    public var encoded: [UInt8] { [OV528.mark, command | address << 5, p1, p2, p3, p4] }

    public var knownCommand: OV528.Command? { OV528.Command(rawValue: command) }

    /// An ACK's or a package request's package ID (P3 low, P4 high).
    public var packageID: UInt16 { UInt16(p3) | UInt16(p4) << 8 }

    /// DATA's image size (P2, P3, P4, little-endian).
    public var imageSize: Int { Int(p2) | Int(p3) << 8 | Int(p4) << 16 }

    /// A NAK's error code (P3).
    public var errorCode: OV528.ErrorCode? { OV528.ErrorCode(rawValue: p3) }

    /// Whether this is an ACK of `command` (the command ID in P1).
    public func acknowledges(_ command: OV528.Command) -> Bool {
        self.command == OV528.Command.ack.rawValue && p1 == command.rawValue
    }

    public var isNAK: Bool { command == OV528.Command.nak.rawValue }

    public var description: String {
        var name = knownCommand?.description ?? "command 0x" + Hex.byte(command)
        switch knownCommand {
        case .ack: name += " " + (OV528.Command(rawValue: p1)?.description ?? "package \(packageID)")
        case .nak: name += ": " + (errorCode?.description ?? "error 0x" + Hex.byte(p3))
        default: break
        }
        return name + " " + Hex.bytes(encoded)
    }

    // MARK: Host to camera

    public static func sync(address: UInt8 = 0) -> Self { Self(.sync, address: address) }

    /// INITIAL with explicit codes: `00 COLOUR RAWRES JPEGRES`.
    public static func initial(colour: UInt8, rawResolution: UInt8, jpegResolution: UInt8, address: UInt8 = 0) -> Self {
        Self(.initial, address: address, 0x00, colour, rawResolution, jpegResolution)
    }

    /// INITIAL for JPEG at `resolution`, as the variant's hosts send it (Seeed
    /// `AA 01 00 07 00 07`, uCAM-III `AA 01 00 07 07 07` at 640x480).
    public static func initialJPEG(_ resolution: OV528.Resolution, variant: OV528.Variant, address: UInt8 = 0) -> Self {
        initial(colour: variant.colourCodes[.jpeg] ?? 0x07, rawResolution: variant.jpegInitialRawResolution,
                jpegResolution: resolution.code, address: address)
    }

    public static func getPicture(_ type: OV528.PictureType, address: UInt8 = 0) -> Self {
        Self(.getPicture, address: address, type.rawValue)
    }

    /// SNAPSHOT: the frame after `skipFrames` frames is kept for GET PICTURE.
    public static func snapshot(_ type: OV528.SnapshotType = .compressed, skipFrames: UInt16 = 0, address: UInt8 = 0) -> Self {
        Self(.snapshot, address: address, type.rawValue, UInt8(skipFrames & 0xFF), UInt8(skipFrames >> 8), 0x00)
    }

    /// SET PACKAGE SIZE: `08 LL HH 00`.
    public static func setPackageSize(_ size: Int, address: UInt8 = 0) -> Self {
        Self(.setPackageSize, address: address, 0x08, UInt8(truncatingIfNeeded: size), UInt8(truncatingIfNeeded: size >> 8), 0x00)
    }

    public static func setBaud(divider1: UInt8, divider2: UInt8, address: UInt8 = 0) -> Self {
        Self(.setBaud, address: address, divider1, divider2)
    }

    /// SET BAUD for `baud` with the divisors `variant`'s documentation gives; nil if there are
    /// none.
    public static func setBaud(_ baud: Int, variant: OV528.Variant, address: UInt8 = 0) -> Self? {
        variant.baudDivisors(for: baud).map { setBaud(divider1: $0.0, divider2: $0.1, address: address) }
    }

    /// RESET; `immediately` (P4 `FF`) resets at once rather than after the current operation.
    public static func reset(_ kind: OV528.ResetKind = .wholeSystem, immediately: Bool = false, address: UInt8 = 0) -> Self {
        Self(.reset, address: address, kind.rawValue, 0x00, 0x00, immediately ? 0xFF : 0x00)
    }

    /// POWER DOWN (OV528).
    public static func powerDown(address: UInt8 = 0) -> Self { Self(.powerDown, address: address) }

    /// LIGHT (uCAM-III): the mains frequency the exposure avoids flicker at.
    public static func light(sixtyHertz: Bool, address: UInt8 = 0) -> Self {
        Self(.light, address: address, sixtyHertz ? 0x01 : 0x00)
    }

    /// CONTRAST-BRIGHTNESS-EXPOSURE (uCAM-III): each 0...4, 2 nominal.
    public static func contrastBrightnessExposure(contrast: UInt8 = 2, brightness: UInt8 = 2, exposure: UInt8 = 2, address: UInt8 = 0) -> Self {
        Self(.contrastBrightnessExposure, address: address, contrast, brightness, exposure)
    }

    /// SLEEP (uCAM-III): sleep after `seconds` without a command; 0 never sleeps.
    public static func sleep(seconds: UInt8, address: UInt8 = 0) -> Self {
        Self(.sleep, address: address, 0x00, seconds)
    }

    /// The host's ACK asking for package `id` (`AA 0E 00 00 LL HH`).
    public static func requestPackage(_ id: UInt16, address: UInt8 = 0) -> Self {
        ack(command: 0x00, counter: 0x00, packageID: id, address: address)
    }

    /// The host's ACK ending a transfer: `AA 0E 00 00 F0 F0`.
    public static func endTransfer(address: UInt8 = 0) -> Self { requestPackage(OV528.endOfTransfer, address: address) }

    // MARK: Either way

    /// ACK of `command`: `AA 0E CMD COUNTER LL HH`.
    public static func ack(command: UInt8, counter: UInt8 = 0, packageID: UInt16 = 0, address: UInt8 = 0) -> Self {
        Self(.ack, address: address, command, counter, UInt8(packageID & 0xFF), UInt8(packageID >> 8))
    }

    public static func ack(_ command: OV528.Command, counter: UInt8 = 0, address: UInt8 = 0) -> Self {
        ack(command: command.rawValue, counter: counter, address: address)
    }

    // MARK: Camera to host

    /// NAK: `AA 0F 00 COUNTER ERROR 00`.
    public static func nak(_ error: OV528.ErrorCode, counter: UInt8 = 0, address: UInt8 = 0) -> Self {
        Self(.nak, address: address, 0x00, counter, error.rawValue, 0x00)
    }

    /// DATA: the picture type and its size in bytes (24-bit little-endian).
    public static func data(_ type: OV528.PictureType, size: Int, address: UInt8 = 0) -> Self {
        Self(.data, address: address, type.rawValue, UInt8(size & 0xFF), UInt8((size >> 8) & 0xFF), UInt8((size >> 16) & 0xFF))
    }
}

/// One package of an image: `ID(2, LE) SIZE(2, LE) data VERIFY(2)`, where VERIFY's low byte is
/// the low eight bits of the sum of every byte before it and its high byte is 0.
public struct OV528Package: Sendable, Hashable {
    public var id: UInt16
    public var data: [UInt8]

    public init(id: UInt16, data: [UInt8]) {
        self.id = id
        self.data = data
    }

    /// The bytes on the wire.
    public var encoded: [UInt8] {
        var bytes = [UInt8(id & 0xFF), UInt8(id >> 8), UInt8(data.count & 0xFF), UInt8(data.count >> 8)] + data
        bytes += [Self.verifyByte(bytes), 0x00]
        return bytes
    }

    /// The low eight bits of the sum of `bytes`.
    public static func verifyByte(_ bytes: some Sequence<UInt8>) -> UInt8 {
        bytes.reduce(0, &+)
    }

    /// Package `id` of `image` at `packageSize`.
    public static func slice(_ image: [UInt8], id: Int, packageSize: Int) -> OV528Package {
        let capacity = packageSize - OV528.packageOverhead
        let start = min(id * capacity, image.count)
        return OV528Package(id: UInt16(truncatingIfNeeded: id), data: Array(image[start..<min(start + capacity, image.count)]))
    }

    /// Checks `bytes` as package `id` carrying `dataSize` image bytes and returns it.
    public static func decode(_ bytes: [UInt8], id: UInt16, dataSize: Int) throws(OV528PackageError) -> OV528Package {
        let length = dataSize + OV528.packageOverhead
        guard bytes.count == length else { throw .length(received: bytes.count, expected: length) }
        let receivedID = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        let size = Int(bytes[2]) | Int(bytes[3]) << 8
        let verify = verifyByte(bytes[..<(length - 2)])
        guard bytes[length - 2] == verify && bytes[length - 1] == 0 else {
            throw .verify(received: UInt16(bytes[length - 2]) | UInt16(bytes[length - 1]) << 8, computed: verify)
        }
        guard receivedID == id else { throw .id(received: receivedID, expected: id) }
        guard size == dataSize else { throw .size(received: size, expected: dataSize) }
        return OV528Package(id: id, data: Array(bytes[4..<(length - 2)]))
    }
}

/// Why received bytes are not the package asked for.
public enum OV528PackageError: Error, Sendable, Hashable, CustomStringConvertible {
    case length(received: Int, expected: Int)
    case verify(received: UInt16, computed: UInt8)
    case id(received: UInt16, expected: UInt16)
    case size(received: Int, expected: Int)

    public var description: String {
        switch self {
        case .length(let received, let expected): "\(received) of \(expected) bytes"
        case .verify(let received, let computed): "verify bytes \(Hex.byte(UInt8(received & 0xFF))) \(Hex.byte(UInt8(received >> 8))), expected \(Hex.byte(computed)) 00"
        case .id(let received, let expected): "package \(received) instead of \(expected)"
        case .size(let received, let expected): "size \(received) instead of \(expected)"
        }
    }
}
