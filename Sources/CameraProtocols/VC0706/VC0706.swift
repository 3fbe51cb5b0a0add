/// The VC0706 serial JPEG camera protocol (Adafruit 397, LinkSprite LS-Y201 and clones).
///
/// Host to camera: `56 SN CMD LEN data...`; camera to host: `76 SN CMD STATUS LEN data...`.
/// The camera answers READ_FBUF with a header reply, the image bytes, and the header again.
public enum VC0706 {
    /// The first byte of every request.
    public static let requestMark: UInt8 = 0x56
    /// The first byte of every reply.
    public static let replyMark: UInt8 = 0x76
    /// The baud after power-up or SYSTEM_RESET.
    public static let defaultBaud = 38400
    /// The bauds SET_PORT can select, fastest first.
    public static let supportedBauds = [115200, 57600, 38400, 19200, 9600]
    /// GEN_VERSION's answer.
    public static let versionString = "VC0703 1.00"
    /// What the camera prints after power-up and after SYSTEM_RESET's reply (PAL variant).
    public static let bootBanner = "VC0703 1.00\r\nCtrl infr exist\r\nUser-defined sensor\r\n625\r\nInit end\r\n"
    /// The banner's last line: hosts wait for it.
    public static let bootBannerEnd = "Init end"

    public enum Command: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case genVersion = 0x11
        case setSerialNumber = 0x21
        case setPort = 0x24
        case systemReset = 0x26
        case readData = 0x30
        case writeData = 0x31
        case readFrameBuffer = 0x32
        case getFrameBufferLength = 0x34
        case frameBufferControl = 0x36
        case commMotionControl = 0x37
        case commMotionStatus = 0x38
        case commMotionDetected = 0x39
        case motionControl = 0x42
        case motionStatus = 0x43
        case tvOutControl = 0x44
        case osdAddCharacter = 0x45
        case downsizeControl = 0x54
        case downsizeStatus = 0x55

        /// The data lengths a well-formed request of this command carries.
        public var acceptedLengths: ClosedRange<Int> {
            switch self {
            case .genVersion: 0...1  // one popular library sends `56 00 11 01`
            case .setSerialNumber, .getFrameBufferLength, .frameBufferControl, .commMotionControl,
                 .motionStatus, .tvOutControl, .downsizeControl: 1...1
            case .setPort: 3...5  // 3 for the UART, 5 for the high-speed UART variant
            case .systemReset, .commMotionStatus, .downsizeStatus, .commMotionDetected: 0...0
            case .readData: 4...4
            case .writeData: 5...20
            case .readFrameBuffer: 12...12
            case .motionControl: 3...3
            case .osdAddCharacter: 2...16
            }
        }

        public var description: String {
            switch self {
            case .genVersion: "GEN_VERSION"
            case .setSerialNumber: "SET_SERIAL_NUMBER"
            case .setPort: "SET_PORT"
            case .systemReset: "SYSTEM_RESET"
            case .readData: "READ_DATA"
            case .writeData: "WRITE_DATA"
            case .readFrameBuffer: "READ_FBUF"
            case .getFrameBufferLength: "GET_FBUF_LEN"
            case .frameBufferControl: "FBUF_CTRL"
            case .commMotionControl: "COMM_MOTION_CTRL"
            case .commMotionStatus: "COMM_MOTION_STATUS"
            case .commMotionDetected: "COMM_MOTION_DETECTED"
            case .motionControl: "MOTION_CTRL"
            case .motionStatus: "MOTION_STATUS"
            case .tvOutControl: "TVOUT_CTRL"
            case .osdAddCharacter: "OSD_ADD_CHAR"
            case .downsizeControl: "DOWNSIZE_CTRL"
            case .downsizeStatus: "DOWNSIZE_STATUS"
            }
        }
    }

    /// A reply's STATUS byte.
    public enum Status: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case ok = 0
        case commandNotReceived = 1
        case wrongDataLength = 2
        case wrongDataFormat = 3
        case cannotExecuteNow = 4
        case executionError = 5

        public var description: String {
            switch self {
            case .ok: "ok"
            case .commandNotReceived: "command not received"
            case .wrongDataLength: "wrong data length"
            case .wrongDataFormat: "wrong data format"
            case .cannotExecuteNow: "cannot execute now"
            case .executionError: "execution error"
            }
        }
    }

    /// FBUF_CTRL's argument.
    public enum FrameBufferControl: UInt8, Sendable, Hashable, CaseIterable {
        /// Freeze the frame being shown now.
        case stopCurrent = 0
        /// Freeze the next frame captured.
        case stopNext = 1
        /// Capture one more frame and freeze it (a datasheet copy swaps 2 and 3: both release).
        case step = 2
        /// Go back to live capture.
        case resume = 3
    }

    /// GET_FBUF_LEN's and READ_FBUF's frame selector.
    public enum FrameSelector: UInt8, Sendable, Hashable {
        case current = 0
        case next = 1
    }

    /// The image size register's values.
    public enum ImageSize: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case vga = 0x00
        case qvga = 0x11
        case qqvga = 0x22
        case xga = 0x33
        case hd720 = 0x44
        case sxga960 = 0x55
        case fullHD = 0x66

        public var width: Int {
            switch self {
            case .vga: 640
            case .qvga: 320
            case .qqvga: 160
            case .xga: 1024
            case .hd720, .sxga960: 1280
            case .fullHD: 1920
            }
        }

        public var height: Int {
            switch self {
            case .vga: 480
            case .qvga: 240
            case .qqvga: 120
            case .xga: 768
            case .hd720: 720
            case .sxga960: 960
            case .fullHD: 1080
            }
        }

        /// The size with these dimensions, if the protocol has one.
        public init?(width: Int, height: Int) {
            guard let size = Self.allCases.first(where: { $0.width == width && $0.height == height }) else { return nil }
            self = size
        }

        /// The sizes of the original 0.3-megapixel module.
        public static let standard: [ImageSize] = [.vga, .qvga, .qqvga]

        public var description: String { "\(width)x\(height)" }
    }

    /// READ_DATA / WRITE_DATA memory types.
    public enum MemoryType: UInt8, Sendable, Hashable {
        case chipRegister = 1
        case sensorRegister = 2
        case ccir656 = 3
        case i2cEEPROM = 4
        case spiEEPROM = 5
        case spiFlash = 6
    }

    /// Where the image size lives (type ``MemoryType/i2cEEPROM``; libraries also write it as
    /// ``MemoryType/spiEEPROM``).
    public static let imageSizeAddress: UInt16 = 0x0019
    /// Where the compression ratio lives (type ``MemoryType/chipRegister``); larger = smaller files.
    public static let compressionAddress: UInt16 = 0x1204
    /// The compression the common libraries default to.
    public static let defaultCompression: UInt8 = 0x35

    /// SET_PORT's two divisor bytes for a baud. 57600 also arrives as `1C 4C` (a datasheet copy).
    public static func baudCode(for baud: Int) -> UInt16? {
        switch baud {
        case 9600: 0xAEC8
        case 19200: 0x56E4
        case 38400: 0x2AF2
        case 57600: 0x1C1C
        case 115200: 0x0DA6
        default: nil
        }
    }

    /// The baud a SET_PORT divisor selects.
    public static func baud(forCode code: UInt16) -> Int? {
        switch code {
        case 0xAEC8: 9600
        case 0x56E4: 19200
        case 0x2AF2: 38400
        case 0x1C1C, 0x1C4C: 57600
        case 0x0DA6: 115200
        default: nil
        }
    }
}
