/// The OV528 serial camera protocol (Seeed Grove Serial Camera) and its 4D Systems uCAM-III
/// variant.
///
/// Every command and reply is six bytes, `AA ID P1 P2 P3 P4`; the top three bits of ID may
/// carry a camera address (`ID | address << 5`). A host SYNCs until the camera answers, sets
/// the format (INITIAL) and package size, takes a SNAPSHOT and asks for it (GET PICTURE); the
/// camera answers with DATA (the image size), then sends the image one package at a time,
/// each when the host ACKs its ID: `ID(2, LE) SIZE(2, LE) data VERIFY(2)`.
public enum OV528 {
    /// The first byte of every command and reply.
    public static let mark: UInt8 = 0xAA
    /// The length of every command and reply.
    public static let messageLength = 6
    /// The bytes of a package that are not image data: ID, SIZE and VERIFY.
    public static let packageOverhead = 6
    /// The package sizes SET PACKAGE SIZE accepts.
    public static let packageSizes: ClosedRange<Int> = 64...512
    /// The package size after power-up or reset.
    public static let defaultPackageSize = 64
    /// The package ID a host ACKs to end a transfer: `AA 0E 00 00 F0 F0`.
    public static let endOfTransfer: UInt16 = 0xF0F0
    /// The clock SET BAUD's divisors divide: 14.7456 MHz.
    public static let baudClock = 14_745_600
    /// The bauds a host looks for an OV528-family camera at, the commonest first: the standard
    /// serial bauds SET BAUD can select.
    public static let searchBauds = [115200, 57600, 38400, 19200, 9600, 230400, 460800, 921600]
    /// The most SYNC commands a uCAM host sends before giving up.
    public static let maximumSyncTries = 60
    /// The largest image size DATA can announce (24 bits).
    public static let maximumImageSize = 0xFF_FFFF

    /// The two members of the family. They share the framing and the session; they differ in
    /// colour and resolution codes, the SET BAUD divisors their documentation gives, INITIAL's
    /// raw-resolution byte, and extra commands (OV528: POWER DOWN; uCAM-III: LIGHT,
    /// CONTRAST-BRIGHTNESS-EXPOSURE and SLEEP).
    public enum Variant: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// The OV528 (Seeed Grove Serial Camera and clones).
        case ov528
        /// The 4D Systems uCAM-III.
        case ucam3

        /// The product name, such as `uCAM-III`.
        public var name: String { self == .ov528 ? "OV528" : "uCAM-III" }
        public var description: String { name }

        /// The baud the module talks at after power-up or a whole-system reset.
        public var defaultBaud: Int { 115200 }

        /// The commands a host may send this variant; the others are NAKed (command ID).
        public var hostCommands: Set<Command> {
            let common: Set<Command> = [.initial, .getPicture, .snapshot, .setPackageSize, .setBaud, .reset, .sync, .ack]
            switch self {
            case .ov528: return common.union([.powerDown])
            case .ucam3: return common.union([.light, .contrastBrightnessExposure, .sleep])
            }
        }

        /// The colour formats and their INITIAL codes.
        public var colourCodes: [ColourFormat: UInt8] {
            switch self {
            case .ov528: [.grey2: 0x01, .grey4: 0x02, .grey8: 0x03, .colour12: 0x05, .colour16: 0x06, .jpeg: 0x07]
            case .ucam3: [.grey8: 0x03, .colour16: 0x06, .jpeg: 0x07, .crYCbY: 0x08]
            }
        }

        /// The colour format an INITIAL code selects on this variant.
        public func colourFormat(code: UInt8) -> ColourFormat? {
            colourCodes.first { $0.value == code }?.key
        }

        /// The JPEG resolutions, smallest first.
        public var jpegResolutions: [Resolution] {
            switch self {
            case .ov528:
                [Resolution(code: 0x01, width: 80, height: 60), Resolution(code: 0x03, width: 160, height: 120),
                 Resolution(code: 0x05, width: 320, height: 240), Resolution(code: 0x07, width: 640, height: 480)]
            case .ucam3:
                [Resolution(code: 0x03, width: 160, height: 128), Resolution(code: 0x05, width: 320, height: 240),
                 Resolution(code: 0x07, width: 640, height: 480)]
            }
        }

        /// The most bytes a JPEG from this variant can have: two bytes a pixel at its largest
        /// resolution (the size of the uncompressed YUV 4:2:2 image), more than its encoder
        /// ever produces. An announced size above it is a corrupt or hostile reply.
        public var largestJPEGSize: Int {
            jpegResolutions.map { $0.width * $0.height * 2 }.max() ?? 0
        }

        /// The JPEG resolution an INITIAL code selects on this variant.
        public func jpegResolution(code: UInt8) -> Resolution? { jpegResolutions.first { $0.code == code } }

        /// The JPEG resolution with these dimensions, if the variant has one.
        public func jpegResolution(width: Int, height: Int) -> Resolution? {
            jpegResolutions.first { $0.width == width && $0.height == height }
        }

        /// The raw-resolution byte this variant's hosts send in a JPEG INITIAL (Seeed `00`,
        /// uCAM-III `07`); the camera ignores it when the colour is JPEG.
        public var jpegInitialRawResolution: UInt8 { self == .ov528 ? 0x00 : 0x07 }

        /// SET BAUD's two divisors for `baud` as this variant's documentation gives them
        /// (115200: OV528 `0F 01`, uCAM-III `1F 00`); nil if the 14.7456 MHz clock cannot
        /// make it exactly.
        public func baudDivisors(for baud: Int) -> (UInt8, UInt8)? {
            guard baud > 0, OV528.baudClock % (4 * baud) == 0 else { return nil }
            let product = OV528.baudClock / (4 * baud)  // (DIV1 + 1) * (DIV2 + 1)
            for divider2 in (self == .ov528 ? 1 : 0)...255 where product % (divider2 + 1) == 0 {
                let divider1 = product / (divider2 + 1) - 1
                if (0...255).contains(divider1) { return (UInt8(divider1), UInt8(divider2)) }
            }
            return nil
        }
    }

    /// A command or reply ID (the low five bits of the ID byte).
    public enum Command: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case initial = 0x01
        case getPicture = 0x04
        case snapshot = 0x05
        case setPackageSize = 0x06
        case setBaud = 0x07
        case reset = 0x08
        /// OV528 only.
        case powerDown = 0x09
        /// Camera to host: the image size.
        case data = 0x0A
        case sync = 0x0D
        case ack = 0x0E
        case nak = 0x0F
        /// uCAM-III only: mains frequency for flicker (P1 00 50 Hz, 01 60 Hz).
        case light = 0x13
        /// uCAM-III only: contrast, brightness, exposure, each 0...4 (2 nominal).
        case contrastBrightnessExposure = 0x14
        /// uCAM-III only: sleep after P2 seconds without a command (0: never).
        case sleep = 0x15

        public var description: String {
            switch self {
            case .initial: "INITIAL"
            case .getPicture: "GET PICTURE"
            case .snapshot: "SNAPSHOT"
            case .setPackageSize: "SET PACKAGE SIZE"
            case .setBaud: "SET BAUD"
            case .reset: "RESET"
            case .powerDown: "POWER DOWN"
            case .data: "DATA"
            case .sync: "SYNC"
            case .ack: "ACK"
            case .nak: "NAK"
            case .light: "LIGHT"
            case .contrastBrightnessExposure: "CONTRAST-BRIGHTNESS-EXPOSURE"
            case .sleep: "SLEEP"
            }
        }
    }

    /// NAK error codes (uCAM-III's list; the OV528 emulation uses the same).
    public enum ErrorCode: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case pictureType = 0x01
        case upscale = 0x02
        case scale = 0x03
        case unexpectedReply = 0x04
        case sendPictureTimeout = 0x05
        case unexpectedCommand = 0x06
        case sramJPEGType = 0x07
        case sramJPEGSize = 0x08
        case pictureFormat = 0x09
        case pictureSize = 0x0A
        case parameter = 0x0B
        case sendRegisterTimeout = 0x0C
        case commandID = 0x0D
        case pictureNotReady = 0x0F
        case transferPackageNumber = 0x10
        case setTransferPackageSize = 0x11
        case commandHeader = 0xF0
        case commandLength = 0xF1
        case sendPicture = 0xF5
        case sendCommand = 0xFF

        public var description: String {
            switch self {
            case .pictureType: "picture type error"
            case .upscale: "upscale error"
            case .scale: "scale error"
            case .unexpectedReply: "unexpected reply"
            case .sendPictureTimeout: "send picture timeout"
            case .unexpectedCommand: "unexpected command"
            case .sramJPEGType: "SRAM JPEG type error"
            case .sramJPEGSize: "SRAM JPEG size error"
            case .pictureFormat: "picture format error"
            case .pictureSize: "picture size error"
            case .parameter: "parameter error"
            case .sendRegisterTimeout: "send register timeout"
            case .commandID: "command ID error"
            case .pictureNotReady: "picture not ready"
            case .transferPackageNumber: "transfer package number error"
            case .setTransferPackageSize: "set transfer package size error"
            case .commandHeader: "command header error"
            case .commandLength: "command length error"
            case .sendPicture: "send picture error"
            case .sendCommand: "send command error"
            }
        }
    }

    /// GET PICTURE's and DATA's picture type.
    public enum PictureType: UInt8, Sendable, Hashable, CaseIterable {
        /// The frame the last SNAPSHOT captured.
        case snapshot = 0x01
        /// A new uncompressed frame.
        case rawPreview = 0x02
        /// A new JPEG frame.
        case jpegPreview = 0x05
    }

    /// SNAPSHOT's first parameter.
    public enum SnapshotType: UInt8, Sendable, Hashable, CaseIterable {
        case compressed = 0x00
        case raw = 0x01
    }

    /// RESET's first parameter.
    public enum ResetKind: UInt8, Sendable, Hashable, CaseIterable {
        /// Everything: the camera must be SYNCed again, at its default baud.
        case wholeSystem = 0x00
        /// The command state machine only (an interrupted transfer, say).
        case stateMachine = 0x01
    }

    /// What INITIAL's colour code selects (the codes differ between variants: see
    /// ``Variant/colourCodes``).
    public enum ColourFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case grey2, grey4, grey8, colour12, colour16, crYCbY, jpeg

        /// Bits per pixel of a raw image; nil for JPEG.
        public var bitsPerPixel: Int? {
            switch self {
            case .grey2: 2
            case .grey4: 4
            case .grey8: 8
            case .colour12: 12
            case .colour16, .crYCbY: 16
            case .jpeg: nil
            }
        }

        public var description: String {
            switch self {
            case .grey2: "2-bit grey"
            case .grey4: "4-bit grey"
            case .grey8: "8-bit grey"
            case .colour12: "12-bit colour"
            case .colour16: "16-bit colour (RGB565)"
            case .crYCbY: "CrYCbY"
            case .jpeg: "JPEG"
            }
        }
    }

    /// An image resolution and the code INITIAL selects it with.
    public struct Resolution: Sendable, Hashable, CustomStringConvertible {
        public var code: UInt8
        public var width: Int
        public var height: Int

        public init(code: UInt8, width: Int, height: Int) {
            self.code = code
            self.width = width
            self.height = height
        }

        public var description: String { "\(width)x\(height)" }
    }

    /// The baud SET BAUD's divisors select: 14.7456 MHz / (2 (DIV2 + 1)) / (2 (DIV1 + 1)), if
    /// that is a whole number of bits a second.
    public static func baud(divider1: UInt8, divider2: UInt8) -> Int? {
        let divisor = 4 * (Int(divider1) + 1) * (Int(divider2) + 1)
        return baudClock % divisor == 0 ? baudClock / divisor : nil
    }

    /// How many packages an image of `imageSize` bytes takes at `packageSize`.
    public static func packageCount(imageSize: Int, packageSize: Int) -> Int {
        let capacity = max(packageSize - packageOverhead, 1)
        return (max(imageSize, 0) + capacity - 1) / capacity
    }

    /// The number of image bytes in package `id` of an image of `imageSize` bytes.
    public static func packageDataSize(id: Int, imageSize: Int, packageSize: Int) -> Int {
        let capacity = max(packageSize - packageOverhead, 1)
        return max(0, min(capacity, imageSize - id * capacity))
    }
}
