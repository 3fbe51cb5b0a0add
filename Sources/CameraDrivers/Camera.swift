import HAL

/// What the recorder and the CLI need from any camera model.
public protocol Camera: AnyObject, Sendable {
    /// The model, such as `vc0706`.
    var model: String { get }

    /// Finds the camera on its port (probing bauds where needed), brings it to a known state
    /// and to the fastest baud the link holds, and reports what it is.
    func connect() async throws(CameraError) -> CameraInfo

    /// What the camera is and how it is set now.
    func info() async throws(CameraError) -> CameraInfo

    /// Changes image size and quality; takes effect before this returns (models that need a
    /// reset for it are reset and brought back to speed).
    func configure(_ settings: CameraSettings) async throws(CameraError)

    /// Takes one frame, checked before it is returned. `progress` is called as bytes arrive.
    func snapshot(progress: (@Sendable (TransferProgress) -> Void)?) async throws(CameraError) -> CapturedFrame

    /// Whether the camera detects motion itself (``setMotionDetection(_:)`` and
    /// ``motionEvents``); cameras that do not throw ``CameraError/Kind/unsupported`` when asked
    /// to, and never report motion.
    var detectsMotion: Bool { get }

    /// Turns the camera's own motion detection on or off; while on, its reports arrive on
    /// ``motionEvents``.
    func setMotionDetection(_ enabled: Bool) async throws(CameraError)

    /// The camera's motion reports, as they are seen (also while a transfer is in flight).
    var motionEvents: AsyncStream<MotionEvent> { get }
}

extension Camera {
    /// Frames one after another, as fast as the camera delivers them, taken as the sequence
    /// is iterated (no task of its own, so it runs on virtual time in simulation). A frame
    /// that fails its checks is skipped; other errors end the sequence by throwing.
    public func frames() -> CameraFrames { CameraFrames(camera: self) }
}

/// The frames of a ``Camera``, taken one at a time as they are asked for.
public struct CameraFrames: AsyncSequence, Sendable {
    public typealias Element = CapturedFrame
    public typealias Failure = CameraError
    let camera: any Camera

    public struct AsyncIterator: AsyncIteratorProtocol {
        let camera: any Camera

        public mutating func next() async throws(CameraError) -> CapturedFrame? {
            while !Task.isCancelled {
                do {
                    return try await camera.snapshot(progress: nil)
                } catch where error.kind == .corruptFrame {
                    continue
                } catch where error.kind == .cancelled {
                    return nil
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(camera: camera) }
}

/// What a camera is and how it is set.
public struct CameraInfo: Sendable, Hashable, Codable {
    public var model: String
    public var version: String
    public var port: String
    public var baud: Int
    public var width: Int
    public var height: Int
    /// The model's own compression or quality setting.
    public var compression: Int
    /// What the driver had to assume because the camera refused an optional request (a
    /// register read or write, motion control), one line each, such as `the camera refused
    /// reading the image size register (I2C EEPROM 0x0019): assuming the power-up default,
    /// 640x480`. Empty for a camera that did all it was asked.
    public var warnings: [String]

    public init(
        model: String, version: String, port: String, baud: Int, width: Int, height: Int, compression: Int, warnings: [String] = []
    ) {
        self.model = model
        self.version = version
        self.port = port
        self.baud = baud
        self.width = width
        self.height = height
        self.compression = compression
        self.warnings = warnings
    }
}

/// Settings a camera can be given; nil leaves a setting as it is.
public struct CameraSettings: Sendable, Hashable {
    public var width: Int?
    public var height: Int?
    /// The model's compression value (VC0706: 0...255, larger = smaller files).
    public var compression: Int?

    public init(width: Int? = nil, height: Int? = nil, compression: Int? = nil) {
        self.width = width
        self.height = height
        self.compression = compression
    }
}

/// One checked JPEG frame.
public struct CapturedFrame: Sendable, Hashable {
    /// The JPEG, from `FF D8` to `FF D9`.
    public var jpeg: [UInt8]
    /// When the camera captured it (the freeze), on the port's clock.
    public var captureTime: MonotonicInstant
    /// How long the transfer took, from the request to the last byte.
    public var transferTime: Duration
    /// How many times the frame (or part of it) had to be read again.
    public var retries: Int
    public var width: Int
    public var height: Int

    public init(jpeg: [UInt8], captureTime: MonotonicInstant, transferTime: Duration, retries: Int, width: Int, height: Int) {
        self.jpeg = jpeg
        self.captureTime = captureTime
        self.transferTime = transferTime
        self.retries = retries
        self.width = width
        self.height = height
    }
}

/// How far a frame transfer has got.
public struct TransferProgress: Sendable, Hashable {
    public var bytes: Int
    public var total: Int
    public var elapsed: Duration

    public init(bytes: Int, total: Int, elapsed: Duration) {
        self.bytes = bytes
        self.total = total
        self.elapsed = elapsed
    }

    /// Bytes a second so far.
    public var rate: Double { elapsed > .zero ? Double(bytes) / elapsed.seconds : 0 }
}

/// A motion report from the camera itself.
public struct MotionEvent: Sendable, Hashable {
    public var time: MonotonicInstant
    public init(time: MonotonicInstant) { self.time = time }
}

/// How hard a driver checks frames before returning them.
public enum FrameVerification: String, Sendable, Hashable, Codable, CaseIterable {
    /// Length, `FF D8` start, `FF D9` end, and the decoder's verdict where one is given.
    case standard
    /// All of that, and the frozen frame read twice and compared byte for byte (again in
    /// pieces, a piece whose reads disagree read until two agree): catches corruption that
    /// still decodes, at about twice the transfer time on a clean line.
    case verified
}
