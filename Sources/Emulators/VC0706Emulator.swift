import CameraProtocols
import HAL
import Scenes
import Synchronization

/// The firmware of a VC0706 serial JPEG camera, on the device end of a serial port.
///
/// It answers every command of the protocol as the module does (see Documentation/Protocols.md): status
/// codes for unknown, unsupported and malformed requests without losing sync; a frame buffer
/// that runs live or holds one frozen frame whose length and bytes stay put; image size,
/// compression and downsize registers that take effect at SYSTEM_RESET; SET_PORT answered at
/// the old baud; a reset back to 38400 with the boot banner; the serial number byte; and
/// unprompted COMM_MOTION_DETECTED messages while motion detection is on. Frames come from a
/// ``Scene`` encoded to real JPEG. Time comes from the port's clock: on a simulated link the
/// whole module runs on virtual time.
public final class VC0706Emulator: EmulatedCamera, Firmware {
    /// Timing and identity of the emulated module.
    public struct Configuration: Sendable, Hashable {
        /// The serial number byte the module answers to.
        public var serialNumber: UInt8 = 0
        /// Time from a request's last byte to the reply's first.
        public var commandLatency: Duration = .milliseconds(1)
        /// Time from SYSTEM_RESET's reply to the banner.
        public var resetTime: Duration = .milliseconds(200)
        /// Time from power-up to the banner.
        public var bootTime: Duration = .milliseconds(800)
        /// A request left incomplete this long is dropped.
        public var interByteTimeout: Duration = .milliseconds(20)
        /// How often motion detection looks at the scene.
        public var motionCheckInterval: Duration = .milliseconds(100)
        /// How often COMM_MOTION_DETECTED repeats while motion goes on.
        public var motionRepeatInterval: Duration = .seconds(1)
        /// NTSC modules print `525` in the banner instead of `625`.
        public var ntsc = false
        /// The largest image size the module supports (0.3-megapixel modules: VGA).
        public var largestSize: VC0706.ImageSize = .vga
        /// The baud the UART is at when the emulator starts, as if a host had left it there
        /// with SET_PORT (the firmware is already booted: no banner). Resets go to 38400.
        public var initialBaud = VC0706.defaultBaud
        /// Whether the emulator starts by booting (banner after ``bootTime``), as at power-up;
        /// false for a module that has been on for a while.
        public var bootsOnStart = true
        /// The image size after the first power-up (the register lives in EEPROM and
        /// survives resets and power cycles).
        public var initialSize: VC0706.ImageSize = .vga
        /// A cheap clone with the frame buffer and little else: it refuses register reads and
        /// writes (READ_DATA, WRITE_DATA: image size, compression), motion control and status
        /// (COMM_MOTION_*, MOTION_*) and downsize (DOWNSIZE_*) with `command not received`,
        /// the status the firmware gives a command it does not know.
        public var minimalClone = false

        public init() {}
    }

    struct Registers: Hashable {
        var imageSize: VC0706.ImageSize
        var compression: UInt8 = VC0706.defaultCompression
        var downsize: UInt8 = 0
    }

    struct State {
        var baud = VC0706.defaultBaud
        var serial: UInt8
        var active: Registers
        var pending: Registers
        var frozen: SceneFrame?
        var lastFrozen: SceneFrame?
        var lastServed: SceneFrame?
        var commMotionEnabled = false
        var motionControl: [UInt8] = [0x00, 0x01, 0x01]
        var motionStatus: UInt8 = 0
        var tvOut = false
        var inMotion = false
        var lastMotionMessage: MonotonicInstant?
    }

    public let model = "vc0706"
    public let configuration: Configuration
    let core: EmulatorCore
    var port: any SerialPort { core.port }
    var clock: any HALClock { core.clock }
    let state: Mutex<State>

    /// - Parameters:
    ///   - port: the device end of the camera's serial link; the emulator reconfigures its baud.
    ///   - scene: what the camera sees.
    public init(port: any SerialPort, scene: any Scene, configuration: Configuration = Configuration()) {
        self.configuration = configuration
        core = EmulatorCore(
            model: "vc0706", port: port, scene: scene,
            boots: configuration.bootsOnStart && configuration.initialBaud == VC0706.defaultBaud)
        let registers = Registers(imageSize: configuration.initialSize)
        var initial = State(serial: configuration.serialNumber, active: registers, pending: registers)
        initial.baud = configuration.initialBaud
        state = Mutex(initial)
    }

    // MARK: Backend controls

    public var isPowered: Bool { core.isPowered }
    public func setPower(_ on: Bool) { core.setPower(on) }
    public func brownOut() { core.brownOut() }
    public func injectMotion(for duration: Duration) { core.injectMotion(for: duration) }
    public func corruptNextReply() { core.corruptNextReply() }
    public func dropNextReply() { core.dropNextReply() }
    public func replaceScene(_ scene: any Scene) { core.replaceScene(scene) }
    public func setTrace(_ trace: (@Sendable (EmulatorTrace) -> Void)?) { core.setTrace(trace) }

    /// The baud the module's UART runs at now.
    public var baud: Int { state.withLock { $0.baud } }

    /// The frame most recently frozen (kept after the buffer resumes), for tests that compare
    /// what a host received with what the camera served.
    public var lastFrozenFrame: SceneFrame? { state.withLock { $0.lastFrozen } }

    /// The frame the most recent READ_FBUF read from (whole or in part).
    public var lastServedFrame: SceneFrame? { state.withLock { $0.lastServed } }

    /// The frame the module would serve now (the frozen one, or the live one), for tests that
    /// compare what a host received with what was served.
    public func currentFrame() throws -> SceneFrame {
        try renderedFrame(at: clock.now)
    }

    // MARK: Firmware

    public func run() async { await core.run(self) }

    typealias Decoder = VC0706RequestDecoder

    var interByteTimeout: Duration { configuration.interByteTimeout }
    var tickInterval: Duration { configuration.motionCheckInterval }

    func boot() async throws {
        try await restartFirmware()
        try await sleep(for: configuration.bootTime)
        try await port.flush(.input)  // what arrived while booting was never heard
        try await send(Array(banner.utf8), describing: "boot banner")
    }

    func partialRequestDropped(_ count: Int) async throws {}

    func tick() async throws { try await checkMotion() }

    /// What a reset or power-up does: pending registers take effect, the frame buffer runs
    /// live, motion detection is off, and the UART (once its last byte is out) is at 38400.
    private func restartFirmware() async throws {
        state.withLock { state in
            state.active = state.pending
            state.frozen = nil
            state.commMotionEnabled = false
            state.inMotion = false
            state.baud = VC0706.defaultBaud
        }
        try await core.switchBaud(to: VC0706.defaultBaud)
    }

    private var banner: String {
        configuration.ntsc ? VC0706.bootBanner.replacingOccurrences625() : VC0706.bootBanner
    }

    func handle(_ output: VC0706RequestDecoder.Output) async throws {
        switch output {
        case .rejected(let serial, let command, let status):
            trace(.received, "malformed request for command 0x\(Hex.byte(command)): \(status)")
            guard serial == state.withLock({ $0.serial }) else { return }
            try await sleep(for: configuration.commandLatency)
            try await reply(VC0706Reply(serial: serial, command: command, status: status.rawValue))
        case .request(let request):
            trace(.received, request.description)
            let serial = state.withLock { $0.serial }
            guard request.serial == serial else { return }  // addressed to another camera
            try await sleep(for: configuration.commandLatency)
            let command = request.knownCommand!
            if configuration.minimalClone && Self.lackedByMinimalClone.contains(command) {
                return try await reply(VC0706Reply(serial: serial, command, status: .commandNotReceived))
            }
            try await execute(request, command: command)
        }
    }

    /// The commands a ``Configuration/minimalClone`` does not have.
    static let lackedByMinimalClone: Set<VC0706.Command> = [
        .readData, .writeData, .commMotionControl, .commMotionStatus, .motionControl, .motionStatus,
        .downsizeControl, .downsizeStatus,
    ]

    private func execute(_ request: VC0706Request, command: VC0706.Command) async throws {
        let data = request.data
        let serial = request.serial
        func ok(_ payload: [UInt8] = []) -> VC0706Reply { VC0706Reply(serial: serial, command, data: payload) }
        func fail(_ status: VC0706.Status) -> VC0706Reply { VC0706Reply(serial: serial, command, status: status) }

        switch command {
        case .genVersion:
            try await reply(ok(Array(VC0706.versionString.utf8)))

        case .setSerialNumber:
            try await reply(ok())
            state.withLock { $0.serial = data[0] }

        case .setPort:
            let code = data.count >= 3 ? UInt16(data[data.count - 2]) << 8 | UInt16(data[data.count - 1]) : 0
            guard let baud = VC0706.baud(forCode: code) else { return try await reply(fail(.wrongDataFormat)) }
            try await reply(ok())  // at the old rate
            try await core.switchBaud(to: baud)
            state.withLock { $0.baud = baud }
            trace(.event, "UART now at \(baud) baud")

        case .systemReset:
            try await reply(ok())
            try await restartFirmware()
            try await sleep(for: configuration.resetTime)
            try await send(Array(banner.utf8), describing: "boot banner")

        case .readData:
            let (type, count, address) = (data[0], Int(data[1]), UInt16(data[2]) << 8 | UInt16(data[3]))
            guard (1...16).contains(count) else { return try await reply(fail(.wrongDataFormat)) }
            let value = state.withLock { state -> UInt8 in
                switch (type, address) {
                case (4, VC0706.imageSizeAddress), (5, VC0706.imageSizeAddress): state.pending.imageSize.rawValue
                case (1, VC0706.compressionAddress): state.pending.compression
                default: 0
                }
            }
            try await reply(ok([value] + [UInt8](repeating: 0, count: count - 1)))

        case .writeData:
            let (type, count, address) = (data[0], Int(data[1]), UInt16(data[2]) << 8 | UInt16(data[3]))
            let bytes = Array(data.dropFirst(4))
            guard count == bytes.count, count > 0 else { return try await reply(fail(.wrongDataLength)) }
            switch (type, address) {
            case (4, VC0706.imageSizeAddress), (5, VC0706.imageSizeAddress):
                guard let size = VC0706.ImageSize(rawValue: bytes[0]), size.width <= configuration.largestSize.width else {
                    return try await reply(fail(.wrongDataFormat))
                }
                state.withLock { $0.pending.imageSize = size }
            case (1, VC0706.compressionAddress):
                state.withLock { $0.pending.compression = bytes[0] }
            default:
                break  // other registers are accepted and ignored
            }
            try await reply(ok())

        case .readFrameBuffer:
            try await readFrameBuffer(request)

        case .getFrameBufferLength:
            guard data[0] <= 1 else { return try await reply(fail(.wrongDataFormat)) }
            let at = data[0] == 0 ? clock.now : nextFrameTime()
            let length = UInt32(try renderedFrame(at: at).jpeg.count)
            try await reply(ok(VC0706.bigEndianBytes(length)))

        case .frameBufferControl:
            guard let control = VC0706.FrameBufferControl(rawValue: data[0]) else {
                return try await reply(fail(.wrongDataFormat))
            }
            switch control {
            case .stopCurrent:
                let frame = try renderedFrame(at: clock.now)
                state.withLock { state in
                    state.frozen = state.frozen ?? frame
                    state.lastFrozen = state.frozen
                }
            case .stopNext:
                try await sleep(until: nextFrameTime())
                let frame = try renderedFrame(at: clock.now)
                state.withLock { state in
                    state.frozen = frame
                    state.lastFrozen = frame
                }
            case .step, .resume:
                state.withLock { $0.frozen = nil }
            }
            try await reply(ok())

        case .commMotionControl:
            guard data[0] <= 1 else { return try await reply(fail(.wrongDataFormat)) }
            state.withLock { state in
                state.commMotionEnabled = data[0] == 1
                state.inMotion = false
            }
            try await reply(ok())

        case .commMotionStatus:
            try await reply(ok([state.withLock { $0.commMotionEnabled } ? 1 : 0]))

        case .motionControl:
            state.withLock { $0.motionControl = data }
            try await reply(ok())

        case .motionStatus:
            state.withLock { $0.motionStatus = data[0] }
            try await reply(ok([data[0]]))

        case .tvOutControl:
            guard data[0] <= 1 else { return try await reply(fail(.wrongDataFormat)) }
            state.withLock { $0.tvOut = data[0] == 1 }
            try await reply(ok())

        case .osdAddCharacter:
            try await reply(fail(.cannotExecuteNow))  // real chips do not support it

        case .downsizeControl:
            state.withLock { $0.pending.downsize = data[0] }
            try await reply(ok())

        case .downsizeStatus:
            try await reply(ok([state.withLock { $0.pending.downsize }]))

        case .commMotionDetected:
            try await reply(fail(.commandNotReceived))  // the camera sends it; it does not take it
        }
    }

    private func readFrameBuffer(_ request: VC0706Request) async throws {
        let data = request.data
        let address = Int(VC0706.bigEndianValue(data[2..<6]))
        let length = Int(VC0706.bigEndianValue(data[6..<10]))
        let delay = Duration.microseconds(Int64(UInt16(data[10]) << 8 | UInt16(data[11])) * 10)
        let header = VC0706Reply(serial: request.serial, .readFrameBuffer)
        let served = try renderedFrame(at: clock.now)
        state.withLock { $0.lastServed = served }
        let frame = served.jpeg
        let (drop, corrupt) = core.takeReplyFaults()
        if drop {
            trace(.event, "dropped the reply to READ_FBUF")
            return
        }
        try await send(header.encoded, describing: header.description)
        try await port.drain()
        try await sleep(for: delay)
        // Made piece by piece as the line takes them: a request for gigabytes (a corrupted
        // length) streams for hours, as on the module, without holding them all at once.
        try await core.send(count: length, describing: "\(length) bytes of frame data from \(address)") { range in
            let sources = (address + range.lowerBound)..<(address + range.upperBound)
            let inFrame = sources.clamped(to: 0..<max(frame.count, 0))
            var piece = inFrame.isEmpty ? [] : Array(frame[inFrame])
            // Past the frame's end the buffer holds whatever was there: a fixed filler.
            for source in max(inFrame.upperBound, sources.lowerBound)..<sources.upperBound {
                piece.append(UInt8(truncatingIfNeeded: source &* 131 &+ 7))
            }
            if corrupt && range.contains(length / 2) { piece[length / 2 - range.lowerBound] ^= 0x5A }
            return piece
        }
        try await port.drain()
        try await sleep(for: delay)
        try await send(header.encoded, describing: header.description)
    }

    private func checkMotion() async throws {
        let now = clock.now
        let (enabled, wasInMotion, lastMessage) = state.withLock { ($0.commMotionEnabled, $0.inMotion, $0.lastMotionMessage) }
        guard enabled else { return }
        let moving = core.motionSeen(at: now)
        state.withLock { $0.inMotion = moving }
        guard moving else { return }
        let due = !wasInMotion || lastMessage.map { now >= $0.advanced(by: configuration.motionRepeatInterval) } ?? true
        guard due else { return }
        state.withLock { $0.lastMotionMessage = now }
        try await send(VC0706Reply.motionDetected.encoded, describing: "COMM_MOTION_DETECTED")
    }

    // MARK: Frames

    private func nextFrameTime() -> MonotonicInstant { core.nextFrameTime() }

    /// The frozen frame, or the live one at `time`.
    private func renderedFrame(at time: MonotonicInstant) throws(HALError) -> SceneFrame {
        let (frozen, registers) = state.withLock { ($0.frozen, $0.active) }
        if let frozen { return frozen }
        let divisor = 1 << min(Int(registers.downsize & 0x0F), 2)
        let quality = max(10, 95 - Int(registers.compression) * 20 / 53)
        return try core.frame(
            at: time, width: registers.imageSize.width / divisor, height: registers.imageSize.height / divisor, quality: quality)
    }

    // MARK: Output

    private func reply(_ reply: VC0706Reply) async throws {
        var bytes = reply.encoded
        let (drop, corrupt) = core.takeReplyFaults()
        if drop {
            trace(.event, "dropped the reply: \(reply)")
            return
        }
        if corrupt { bytes[bytes.count - 1] ^= 0x5A }
        try await send(bytes, describing: reply.description)
    }

    private func send(_ bytes: [UInt8], describing description: @autoclosure () -> String) async throws {
        try await core.send(bytes, describing: description())
    }

    private func sleep(for duration: Duration) async throws(HALError) { try await core.sleep(for: duration) }
    private func sleep(until deadline: MonotonicInstant) async throws(HALError) { try await core.sleep(until: deadline) }

    private func trace(_ direction: EmulatorTrace.Direction, _ text: @autoclosure () -> String) {
        core.trace(direction, text())
    }
}

extension String {
    fileprivate func replacingOccurrences625() -> String {
        var lines = split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices where lines[index] == "625" { lines[index] = "525" }
        return lines.joined(separator: "\r\n")
    }
}
