import CameraProtocols
import HAL
import Synchronization

/// The controller side of a VC0706 camera on a serial port.
///
/// It finds the camera at whatever baud it was left (probing with SYSTEM_RESET), moves it to
/// the fastest baud the link holds, and fetches frames in one READ_FBUF each, falling back to
/// chunked reads after an error. No frame is returned unchecked: its length must match
/// GET_FBUF_LEN and it must run from `FF D8` to `FF D9` (and pass the optional decoder check,
/// and in ``FrameVerification/verified`` mode match a second read). The VC0706 has no
/// checksum, so those checks are all there is. Garbage on the line is skipped; the camera's
/// unprompted motion messages are delivered on ``motionEvents`` whenever they are seen. A
/// camera that stops answering is reset, probed, and finally power-cycled where a power
/// switch is given. A clone that refuses the optional commands (register reads and writes
/// for image size and compression, motion control) still gives frames: each refusal gives
/// one entry in ``warnings`` naming the register and the value assumed instead.
public final class VC0706Camera<Port: SerialPort>: Camera {
    public struct Options: Sendable {
        /// Bauds to probe, in order.
        public var probeBauds = [38400, 115200, 57600, 19200, 9600]
        /// Bauds to try to move to after connecting, fastest first; empty keeps 38400.
        public var preferredBauds = [115200, 57600]
        public var verification = FrameVerification.standard
        /// A full decode of each frame (libturbojpeg in Vigil); false rejects the frame.
        public var frameValidator: (@Sendable ([UInt8]) -> Bool)?
        /// Attempts per snapshot before giving up.
        public var attempts = 4
        /// The read size after a whole-frame read failed.
        public var chunkSize = 4096
        /// In ``FrameVerification/verified`` mode, the size of the pieces the frame is read
        /// again in: a piece two reads disagree on is read again, not the whole frame.
        public var verifyPieceSize = 512
        /// How many times a piece is read again, at most, for two reads of it to agree.
        public var verifyReads = 8
        /// READ_FBUF's delay field, in units of 0.01 ms.
        public var readDelay: UInt16 = 0x000A
        public var serialNumber: UInt8 = 0
        /// Time allowed on top of the wire time for a reply to start.
        public var replyMargin: Duration = .milliseconds(300)
        /// How long the line may stay silent in the middle of a transfer.
        public var stallTimeout: Duration = .milliseconds(500)
        /// The most bytes a resync discards before taking the camera for one that streams on:
        /// a READ_FBUF length corrupted on the way (there is no checksum) can ask for
        /// gigabytes, which the module sends for hours. Well above any frame it holds.
        public var resyncLimit = 128 * 1024
        /// How long to wait for the boot banner after a reset or power-up.
        public var bootTimeout: Duration = .seconds(3)
        /// Switches the camera's power, for recovering a wedged module; nil if the board
        /// cannot.
        public var power: (@Sendable (Bool) async throws -> Void)?
        public var powerOffTime: Duration = .milliseconds(500)

        public init() {}
    }

    public let model = "vc0706"
    public let detectsMotion = true
    public let options: Options
    public let motionEvents: AsyncStream<MotionEvent>
    let port: Port
    let clock: any HALClock
    private let gate = OperationGate()
    private let motion: AsyncStream<MotionEvent>.Continuation
    private let decoder = Mutex(VC0706ReplyDecoder())
    private let cached = Mutex<CameraInfo?>(nil)
    /// The last reply that named another command than the one asked for, since recovery began.
    private let wrongAnswer = Mutex<CameraError?>(nil)
    private let refusals = Mutex(Refusals())

    /// The optional requests the camera refused, one warning each (what was refused and the
    /// value assumed instead), in the order first seen; also in ``CameraInfo/warnings``.
    public var warnings: [String] { refusals.withLock { $0.warnings } }

    public init(port: Port, options: Options = Options()) {
        self.port = port
        self.clock = port.clock
        self.options = options
        (motionEvents, motion) = AsyncStream.makeStream(of: MotionEvent.self, bufferingPolicy: .bufferingNewest(64))
    }

    deinit { motion.finish() }

    // MARK: Camera

    public func connect() async throws(CameraError) -> CameraInfo {
        try await gate.run { () async throws(CameraError) in
            if (try? await version()) == nil { try await recover() }
            try await upgradeBaud()
            return try await readInfo()
        }
    }

    public func info() async throws(CameraError) -> CameraInfo {
        try await gate.run { () async throws(CameraError) in
            if var info = cached.withLock({ $0 }), info.baud == port.configuration.baudRate {
                info.warnings = warnings
                return info
            }
            return try await readInfo()
        }
    }

    public func configure(_ settings: CameraSettings) async throws(CameraError) {
        try await gate.run { () async throws(CameraError) in
            if settings.width != nil || settings.height != nil {
                let current = try await readInfo()
                let width = settings.width ?? current.width, height = settings.height ?? current.height
                guard let size = VC0706.ImageSize(width: width, height: height) else {
                    let sizes = VC0706.ImageSize.allCases.map(\.description).joined(separator: ", ")
                    throw CameraError(.unsupported, "the VC0706 has no \(width)x\(height) mode; it has \(sizes)")
                }
                _ = try await optionalTransact(
                    .setImageSize(size, serial: options.serialNumber), Self.imageSizeWrite,
                    instead: "frames keep the size they have")
            }
            if let compression = settings.compression {
                guard (0...255).contains(compression) else {
                    throw CameraError(.unsupported, "compression must be 0 to 255, not \(compression)")
                }
                let current = cached.withLock { $0?.compression } ?? Int(VC0706.defaultCompression)
                _ = try await optionalTransact(
                    .setCompression(UInt8(compression), serial: options.serialNumber), Self.compressionWrite,
                    instead: "compression stays as it is (taken to be \(current))")
            }
            // Size and compression take effect at the next reset, which also drops to 38400.
            try await reset()
            try await upgradeBaud()
            _ = try await readInfo()
        }
    }

    public func snapshot(progress: (@Sendable (TransferProgress) -> Void)? = nil) async throws(CameraError) -> CapturedFrame {
        try await gate.run { () async throws(CameraError) in
            var lastError = CameraError(.timedOut, "no attempt made")
            for attempt in 0..<max(options.attempts, 1) {
                do throws(CameraError) {
                    if attempt > 0 {
                        if lastError.kind == .busy && options.power != nil {
                            try await powerCycle(otherwise: lastError)
                            try await upgradeBaud()
                        } else {
                            try await resync()
                        }
                        if lastError.kind == .timedOut || lastError.kind == .protocolViolation {
                            // The camera may have reset or wedged: make sure it answers.
                            if (try? await version()) == nil {
                                try await recover()
                                try await upgradeBaud()
                            }
                        }
                    }
                    return try await captureFrame(chunked: attempt > 0, retries: attempt, progress: progress)
                } catch {
                    if error.kind == .cancelled || error.kind == .unsupported { throw error }
                    lastError = error
                }
            }
            throw lastError
        }
    }

    public func setMotionDetection(_ enabled: Bool) async throws(CameraError) {
        try await gate.run { () async throws(CameraError) in
            _ = try await optionalTransact(
                .commMotionControl(enabled: enabled, serial: options.serialNumber), Self.motionControl,
                instead: "the camera's own motion detection is taken to be off and reports no motion")
        }
    }

    /// Listens for `duration` for the camera's unprompted messages (motion reports), when no
    /// command is running; what it hears goes to ``motionEvents``.
    public func listen(for duration: Duration) async throws(CameraError) {
        try await gate.run { () async throws(CameraError) in
            // Only the camera's own short messages come unprompted: a reply's budget is plenty.
            var read = CameraRead("unprompted messages", clock: clock, within: duration, budget: 4 * CameraRead.replyBudget)
            while true {
                let bytes = try await port.receive(&read)
                if bytes.isEmpty { break }
                decoder.withLock { $0.feed(bytes) }
                while let output = decoder.withLock({ $0.next() }) { dispatch(output) }
            }
        }
    }

    /// The camera's version string.
    public func firmwareVersion() async throws(CameraError) -> String {
        try await gate.run { () async throws(CameraError) in try await version() }
    }

    /// Resets the camera (it comes back at 38400 with its pending registers in force) and
    /// moves it back to the fastest baud.
    public func resetCamera() async throws(CameraError) {
        try await gate.run { () async throws(CameraError) in
            try await reset()
            try await upgradeBaud()
        }
    }

    // MARK: Frames

    private func captureFrame(chunked: Bool, retries: Int, progress: (@Sendable (TransferProgress) -> Void)?) async throws(CameraError) -> CapturedFrame {
        let serial = options.serialNumber
        _ = try await transact(.frameBufferControl(.stopCurrent, serial: serial))
        let captureTime = clock.now
        let length = try await frameLength()
        let start = clock.now
        var jpeg = try await readFrameBuffer(length: length, chunked: chunked, progress: progress)
        if options.verification == .verified { jpeg = try await confirmed(jpeg) }
        let transferTime = start.duration(to: clock.now)
        jpeg = try checked(jpeg, length: length)
        _ = try await transact(.frameBufferControl(.resume, serial: serial))
        var info = cached.withLock { $0 }
        if refusals.withLock({ $0.sizeUnknown }), let size = FrameCheck.dimensions(jpeg) {
            // The size register cannot be read: the frame itself says.
            info?.width = size.width
            info?.height = size.height
            cached.withLock { $0 = info }
        }
        return CapturedFrame(
            jpeg: jpeg, captureTime: captureTime, transferTime: transferTime, retries: retries,
            width: info?.width ?? 0, height: info?.height ?? 0)
    }

    /// `frame` with every piece confirmed by two identical reads of the frozen frame: it is
    /// read again piece by piece, and a piece whose reads disagree is read again until two
    /// agree (a corrupted piece is left out, whichever read carried it).
    private func confirmed(_ frame: [UInt8]) async throws(CameraError) -> [UInt8] {
        var frame = frame
        let size = max(options.verifyPieceSize, 32)
        for offset in stride(from: 0, to: frame.count, by: size) {
            let range = offset..<min(offset + size, frame.count)
            var reads = [Array(frame[range])]
            while true {
                guard reads.count <= options.verifyReads else {
                    throw CameraError(.corruptFrame, "no two of \(reads.count) reads of bytes \(range.lowerBound)..<\(range.upperBound) agree")
                }
                let piece: [UInt8]
                do throws(CameraError) {
                    piece = try await readRange(address: offset, length: range.count) { _ in }
                } catch where error.kind == .timedOut || error.kind == .protocolViolation {
                    reads.append([])  // counts as a read; agrees with nothing
                    try await resync()
                    continue
                }
                if reads.contains(piece) {
                    frame.replaceSubrange(range, with: piece)
                    break
                }
                reads.append(piece)
            }
        }
        return frame
    }

    /// The frozen frame's length, as two GET_FBUF_LEN replies agree on it (of at most three).
    ///
    /// A flipped bit in the reply has no checksum to catch it; a length flipped far too large
    /// would cost minutes of reading filler before the frame checks could reject it.
    private func frameLength() async throws(CameraError) -> Int {
        var seen: [Int] = []
        for _ in 0..<3 {
            let reply = try await transact(.getFrameBufferLength(.current, serial: options.serialNumber))
            guard reply.data.count == 4 else {
                throw CameraError(.protocolViolation, "GET_FBUF_LEN answered \(reply.data.count) bytes instead of 4")
            }
            let length = Int(VC0706.bigEndianValue(reply.data))
            if seen.contains(length) {
                guard length >= 4 && length <= 8 << 20 else {
                    throw CameraError(.protocolViolation, "the camera reports a frame of \(length) bytes")
                }
                return length
            }
            seen.append(length)
        }
        throw CameraError(.protocolViolation, "GET_FBUF_LEN answered \(seen.map(String.init).joined(separator: ", ")): no two agree")
    }

    /// Checks a frame and trims the buffer's zero padding after `FF D9`.
    private func checked(_ frame: [UInt8], length: Int) throws(CameraError) -> [UInt8] {
        try FrameCheck.jpeg(frame, length: length, validator: options.frameValidator)
    }

    private func readFrameBuffer(length: Int, chunked: Bool, progress: (@Sendable (TransferProgress) -> Void)?) async throws(CameraError) -> [UInt8] {
        let start = clock.now
        var frame: [UInt8] = []
        frame.reserveCapacity(length)
        let size = chunked ? max(options.chunkSize, 32) : length
        while frame.count < length {
            let piece = min(size, length - frame.count)
            var attempt = 0
            while true {
                do throws(CameraError) {
                    let bytes = try await readRange(address: frame.count, length: piece) { received in
                        progress?(TransferProgress(bytes: frame.count + received, total: length, elapsed: start.duration(to: self.clock.now)))
                    }
                    // A frame read in one piece is that piece, not a copy of it.
                    if frame.isEmpty { frame = bytes } else { frame += bytes }
                    break
                } catch {
                    attempt += 1
                    guard chunked, attempt < 3, error.kind != .cancelled else { throw error }
                    try await resync()
                }
            }
        }
        return frame
    }

    /// One READ_FBUF: header reply, `length` bytes, trailer reply.
    private func readRange(address: Int, length: Int, progress: (Int) -> Void) async throws(CameraError) -> [UInt8] {
        let request = VC0706Request.readFrameBuffer(
            address: UInt32(address), length: UInt32(length), delay: options.readDelay, serial: options.serialNumber)
        decoder.withLock { $0.expectImageData(length: length) }
        try await send(request)
        let configuration = port.configuration
        let delay = Duration.microseconds(Int64(options.readDelay) * 10)
        let allowed = configuration.wireTime(forBytes: request.encoded.count + length + 10) * 1.25 + delay * 2 + options.replyMargin
        // The data, its header and trailer replies, and room for a few unprompted messages.
        var read = CameraRead("READ_FBUF of \(length) bytes", clock: clock, within: allowed, budget: length + CameraRead.replyBudget)
        var data: [UInt8] = []
        data.reserveCapacity(length)
        var headerSeen = false
        while true {
            // Mid-transfer the line may not go quiet for long: a stall fails fast.
            let quietLimit = headerSeen ? clock.now.advanced(by: options.stallTimeout + delay) : nil
            // The header reply, the data and the trailer reply: 10 + `length` bytes.
            let bytes = try await port.receive(&read, until: quietLimit, expecting: max(1, length + 10 - read.received))
            if bytes.isEmpty {
                if read.overrun {
                    throw CameraError(.timedOut, "READ_FBUF did not finish within \(allowed.humanReadable)\(read.detail)")
                }
                throw CameraError(.timedOut, headerSeen
                    ? "the camera stopped sending after \(data.count) of \(length) bytes"
                    : "no reply to READ_FBUF within \(allowed.humanReadable)")
            }
            decoder.withLock { $0.feed(bytes) }
            while let output = decoder.withLock({ $0.next() }) {
                switch output {
                case .imageData(let piece):
                    data += piece
                    progress(data.count)
                case .reply(let reply) where reply.command == VC0706.Command.readFrameBuffer.rawValue:
                    guard reply.isOK else { throw rejected(reply) }
                    if !headerSeen {
                        headerSeen = true
                    } else {
                        guard data.count == length else {
                            throw CameraError(.protocolViolation, "READ_FBUF ended after \(data.count) of \(length) bytes")
                        }
                        return data
                    }
                case .text(let line) where line == VC0706.bootBannerEnd:
                    throw CameraError(.protocolViolation, "the camera reset during the transfer")
                default:
                    dispatch(output)
                }
            }
        }
    }

    // MARK: Commands

    /// Sends `request` and returns the camera's OK reply to it, skipping anything else.
    private func transact(_ request: VC0706Request) async throws(CameraError) -> VC0706Reply {
        try await send(request)
        let name = request.knownCommand?.description ?? "the request"
        var read = CameraRead(
            "the reply to \(name)", clock: clock,
            within: port.configuration.wireTime(forBytes: request.encoded.count + 32) + options.replyMargin)
        // A reply to another command: the camera is out of step with us, or is not a VC0706.
        var answeredInstead: VC0706Reply?
        while true {
            let bytes = try await port.receive(&read)
            if bytes.isEmpty {
                if let other = answeredInstead { throw wrongCommand(other, askedFor: request) }
                throw CameraError(.timedOut, "no reply to \(name) at \(port.configuration.baudRate) baud\(read.detail)")
            }
            decoder.withLock { $0.feed(bytes) }
            while let output = decoder.withLock({ $0.next() }) {
                if case .reply(let reply) = output, reply.serial == request.serial {
                    if reply.command == request.command {
                        guard reply.isOK else { throw rejected(reply) }
                        return reply
                    }
                    answeredInstead = reply
                }
                dispatch(output)
            }
        }
    }

    private func version() async throws(CameraError) -> String {
        let reply = try await transact(.getVersion(serial: options.serialNumber))
        return String(decoding: reply.data, as: UTF8.self)
    }

    /// SYSTEM_RESET: the camera answers, drops to 38400 and prints its banner.
    private func reset() async throws(CameraError) {
        _ = try await transact(.reset(serial: options.serialNumber))
        try await setPortBaud(VC0706.defaultBaud)
        try await awaitBanner()
    }

    private func awaitBanner() async throws(CameraError) {
        var read = CameraRead("the boot banner", clock: clock, within: options.bootTimeout)
        while true {
            let bytes = try await port.receive(&read)
            if bytes.isEmpty { throw CameraError(.timedOut, "the camera did not finish booting (no \"Init end\")\(read.detail)") }
            decoder.withLock { $0.feed(bytes) }
            while let output = decoder.withLock({ $0.next() }) {
                if case .text(let line) = output, line == VC0706.bootBannerEnd { return }
                dispatch(output)
            }
        }
    }

    /// Finds a camera that does not answer at the current baud: SYSTEM_RESET at each probe
    /// baud; failing that, a power cycle where possible.
    ///
    /// A camera that answered, but with replies to other commands, is reported as that (both
    /// commands named), not as one that is missing or did not boot.
    private func recover() async throws(CameraError) {
        wrongAnswer.withLock { $0 = nil }
        // Twice round: a camera still booting (up to a second after power-up) hears nothing.
        for baud in options.probeBauds + options.probeBauds {
            try await setPortBaud(baud)
            do throws(CameraError) {
                try await resync()
                try await reset()
                return
            } catch where error.kind == .timedOut || error.kind == .protocolViolation {
                continue
            } catch where error.kind == .busy {
                return try await powerCycle(otherwise: error)
            }
        }
        if let wrong = wrongAnswer.withLock({ $0 }) {
            do throws(CameraError) {
                try await powerCycle(otherwise: wrong)
            } catch where error.kind == .timedOut {
                throw wrong
            }
            return
        }
        try await powerCycle(otherwise: CameraError(
            .noCamera, "no VC0706 answered on \(port.name) at \(options.probeBauds.map(String.init).joined(separator: ", ")) baud"))
    }

    /// Switches the camera off and on and waits for it to boot (it comes back at 38400);
    /// throws `otherwise` if the board cannot switch its power.
    private func powerCycle(otherwise: CameraError) async throws(CameraError) {
        guard let power = options.power else { throw otherwise }
        try await port.powerCycle(power, offTime: options.powerOffTime, baud: VC0706.defaultBaud)
        decoder.withLock { $0.reset() }
        try await awaitBanner()
    }

    /// Moves camera and port to the fastest preferred baud that verifies, falling back.
    private func upgradeBaud() async throws(CameraError) {
        let current = port.configuration.baudRate
        for baud in options.preferredBauds where baud > current {
            guard let request = VC0706Request.setPort(baud: baud, serial: options.serialNumber) else { continue }
            _ = try await transact(request)
            try await setPortBaud(baud)
            if (try? await version()) != nil { return }
            // The link does not hold it: back to where we were, or find the camera again.
            try await setPortBaud(current)
            if (try? await version()) == nil { try await recover() }
        }
    }

    private func readInfo() async throws(CameraError) -> CameraInfo {
        let version = try await version()
        let sizeReply = try await optionalTransact(
            .readData(.i2cEEPROM, address: VC0706.imageSizeAddress, serial: options.serialNumber), Self.imageSizeRead,
            instead: "assuming the power-up default, \(VC0706.ImageSize.vga), until a frame shows its size")
        let compressionReply = try await optionalTransact(
            .readData(.chipRegister, address: VC0706.compressionAddress, serial: options.serialNumber), Self.compressionRead,
            instead: "assuming the libraries' default, \(VC0706.defaultCompression)")
        refusals.withLock { $0.sizeUnknown = sizeReply == nil }
        let size = sizeReply?.data.first.flatMap(VC0706.ImageSize.init(rawValue:)) ?? .vga
        let compression = compressionReply.map { Int($0.data.first ?? 0) } ?? Int(VC0706.defaultCompression)
        let info = CameraInfo(
            model: model, version: version, port: port.name, baud: port.configuration.baudRate,
            width: size.width, height: size.height, compression: compression, warnings: warnings)
        cached.withLock { $0 = info }
        return info
    }

    // MARK: Optional requests

    /// The optional requests a clone may refuse, as warnings name them.
    private static var imageSizeRead: String { "reading the image size register (\(imageSizeRegister))" }
    private static var imageSizeWrite: String { "writing the image size register (\(imageSizeRegister))" }
    private static var compressionRead: String { "reading the compression register (\(compressionRegister))" }
    private static var compressionWrite: String { "writing the compression register (\(compressionRegister))" }
    private static var imageSizeRegister: String { "I2C EEPROM " + hex(VC0706.imageSizeAddress) }
    private static var compressionRegister: String { "chip register " + hex(VC0706.compressionAddress) }
    private static func hex(_ address: UInt16) -> String { "0x" + Hex.byte(UInt8(address >> 8)) + Hex.byte(UInt8(address & 0xFF)) }
    private static var motionControl: String { "motion control (COMM_MOTION_CTRL)" }

    /// Optional requests refused so far, each warned about once.
    private struct Refusals {
        var seen: Set<String> = []
        var warnings: [String] = []
        /// Whether the image size register went unread: frames' own headers give the size.
        var sizeUnknown = false
    }

    /// Sends an optional `request` (named `what`) and returns the camera's OK reply, or nil
    /// if the camera refused it (a non-zero status): the first refusal of each adds a warning
    /// saying what is assumed `instead`. Other failures throw as ``transact(_:)``'s do.
    private func optionalTransact(_ request: VC0706Request, _ what: String, instead: String) async throws(CameraError) -> VC0706Reply? {
        do throws(CameraError) {
            return try await transact(request)
        } catch where error.kind == .rejected {
            refusals.withLock { refusals in
                guard refusals.seen.insert(what).inserted else { return }
                refusals.warnings.append("the camera refused \(what): \(instead)")
            }
            return nil
        }
    }

    // MARK: The line

    private func send(_ request: VC0706Request) async throws(CameraError) {
        try await port.send(request.encoded)
    }

    private func setPortBaud(_ baud: Int) async throws(CameraError) {
        if try await port.switchBaud(to: baud) { decoder.withLock { $0.reset() } }
    }

    /// Forgets a half-received reply and whatever is still arriving; throws `busy` if the
    /// line does not go quiet within ``Options/resyncLimit`` bytes.
    private func resync() async throws(CameraError) {
        decoder.withLock { $0.reset() }
        try await port.discardInput(quiet: port.configuration.wireTime(forBytes: 20) + .milliseconds(50), limit: options.resyncLimit) {
            "the camera keeps sending (\($0) bytes and more): it misheard a request for far more than a frame, and stops when done or when power-cycled"
        }
    }

    private func dispatch(_ output: VC0706ReplyDecoder.Output) {
        if case .motionDetected = output { motion.yield(MotionEvent(time: clock.now)) }
    }

    /// The camera answered `reply` (another command) and never `request`: it is out of step
    /// with the driver or is not a VC0706, which is no boot or wiring problem.
    private func wrongCommand(_ reply: VC0706Reply, askedFor request: VC0706Request) -> CameraError {
        let asked = request.knownCommand?.description ?? "command 0x" + Hex.byte(request.command)
        let answered = reply.knownCommand?.description ?? "command 0x" + Hex.byte(reply.command)
        let error = CameraError(.protocolViolation, "the camera answered \(answered) when asked for \(asked): it is out of step with the driver or not a VC0706")
        wrongAnswer.withLock { $0 = error }
        return error
    }

    private func rejected(_ reply: VC0706Reply) -> CameraError {
        CameraError(.rejected, "the camera refused \(reply.knownCommand?.description ?? "the request"): \(reply.knownStatus?.description ?? "status \(reply.status)")")
    }
}
