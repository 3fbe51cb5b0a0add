import CameraProtocols
import HAL
import HALSimulation
import Scenes
import Synchronization

/// The firmware of an OV528-protocol serial camera (Seeed Grove Serial Camera) or a 4D Systems
/// uCAM-III, on the device end of a serial port.
///
/// After power-up, a whole-system RESET, POWER DOWN or SLEEP the module hears nothing but SYNC,
/// and answers only once it has heard a few of them (a number drawn from the seed, as real
/// modules need several tries); then it takes every command of Documentation/Protocols.md: INITIAL (the
/// variant's colour and resolution codes), SET PACKAGE SIZE (64 to 512), SNAPSHOT (capturing
/// the frame after the skipped ones), GET PICTURE (snapshot, JPEG preview, raw preview), the
/// image package by package as the host ACKs each ID (any package again, as often as asked),
/// SET BAUD (answered at the old baud), RESET, and the variant's own commands (OV528: POWER
/// DOWN; uCAM-III: LIGHT, CONTRAST-BRIGHTNESS-EXPOSURE, SLEEP and its sleep timer). Every bad
/// request gets a NAK with its error code; commands for another camera address are ignored.
///
/// Frames come from a ``Scene`` encoded to real JPEG, paced by the port's clock, with the same
/// test-side controls as every ``EmulatedCamera``.
///
/// Raw images (Documentation/Protocols.md has no raw resolution codes or pixel layouts): the raw
/// resolution codes are taken to be the JPEG ones; pixels go row by row, several to a byte
/// most significant bits first for 2- and 4-bit grey, RGB444 packed two pixels in three bytes
/// for 12-bit colour, RGB565 high byte first, Cr Y Cb Y for two pixels; after DATA the image
/// follows in one piece and the host ACKs DATA (`AA 0E 0A 00 01 00`).
public final class OV528Emulator: EmulatedCamera, Firmware {
    /// Timing and identity of the emulated module.
    public struct Configuration: Sendable, Hashable {
        public var variant: OV528.Variant
        /// The camera address (0...7) in the top three bits of every ID byte.
        public var address: UInt8 = 0
        /// Time from a command's last byte to the reply's first.
        public var commandLatency: Duration = .milliseconds(1)
        /// Time from a package request's last byte to the package's first byte.
        public var packageLatency: Duration = .microseconds(500)
        /// Time from power-up or a whole-system reset until the module hears anything.
        public var bootTime: Duration = .milliseconds(500)
        /// A command left incomplete this long is dropped (and NAKed: command length error).
        public var interByteTimeout: Duration = .milliseconds(20)
        /// How many SYNCs the module needs to hear before it answers, after power-up, a
        /// whole-system reset, POWER DOWN or sleep; each time a number from this range,
        /// drawn from ``seed``.
        public var syncTries: ClosedRange<Int>
        public var seed: UInt64 = 1
        /// uCAM-III: seconds without a command after which the module sleeps (0: never)
        /// until SLEEP changes it. The OV528 never sleeps by itself.
        public var sleepTimeout: UInt8
        /// The baud the UART is at when the emulator starts, as if a host had left it there
        /// with SET BAUD. Power-up and whole-system resets go to the variant's default.
        public var initialBaud: Int
        /// Whether the emulator starts deaf for ``bootTime``, as at power-up.
        public var bootsOnStart = true
        /// The JPEG quality frames are encoded at.
        public var jpegQuality = 75
        /// How often the sleep timer is looked at (and a module without power looks again).
        public var tickInterval: Duration = .milliseconds(100)

        public init(variant: OV528.Variant = .ucam3) {
            self.variant = variant
            syncTries = variant == .ucam3 ? 5...30 : 1...4
            sleepTimeout = variant == .ucam3 ? 15 : 0
            initialBaud = variant.defaultBaud
        }
    }

    /// What INITIAL set.
    public struct Format: Sendable, Hashable {
        public var colour: OV528.ColourFormat
        public var rawResolution: OV528.Resolution?
        public var jpegResolution: OV528.Resolution?
    }

    /// Image settings a uCAM-III host can change.
    public struct ImageSettings: Sendable, Hashable {
        public var sixtyHertz = false
        public var contrast: UInt8 = 2
        public var brightness: UInt8 = 2
        public var exposure: UInt8 = 2
    }

    struct Picture {
        var type: OV528.PictureType
        var frame: SceneFrame
        var bytes: [UInt8]
        var raw: Bool
    }

    struct Transfer {
        var picture: Picture
        var packageSize: Int
        var count: Int { OV528.packageCount(imageSize: picture.bytes.count, packageSize: packageSize) }
    }

    struct State {
        var baud: Int
        var synced = false
        var syncsHeard = 0
        var syncsNeeded = 1
        var random: SeededRandom
        var format: Format?
        var packageSize = OV528.defaultPackageSize
        var snapshot: Picture?
        var transfer: Transfer?
        var rawPending = false
        var ackCounter: UInt8 = 0
        var nakCounter: UInt8 = 0
        var settings = ImageSettings()
        var sleepTimeout: UInt8
        var lastCommand = MonotonicInstant.zero
        var requests: [UInt16] = []
        var lastServed: SceneFrame?
        var corruptPackages: [Int: Int] = [:]
    }

    public let model: String
    public let configuration: Configuration
    let core: EmulatorCore
    var port: any SerialPort { core.port }
    var clock: any HALClock { core.clock }
    let state: Mutex<State>
    private let rawImages = RawImageRenderer()

    /// - Parameters:
    ///   - port: the device end of the camera's serial link; the emulator reconfigures its baud.
    ///   - scene: what the camera sees.
    public init(port: any SerialPort, scene: any Scene, configuration: Configuration = Configuration()) {
        self.configuration = configuration
        model = configuration.variant.rawValue
        core = EmulatorCore(
            model: configuration.variant.rawValue, port: port, scene: scene,
            boots: configuration.bootsOnStart && configuration.initialBaud == configuration.variant.defaultBaud)
        var initial = State(baud: configuration.initialBaud, random: SeededRandom(seed: configuration.seed), sleepTimeout: configuration.sleepTimeout)
        initial.syncsNeeded = Self.drawSyncTries(&initial.random, configuration.syncTries)
        initial.lastCommand = port.clock.now
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

    /// Flips one byte of package `id` the next `times` times it is sent (its verify byte
    /// then fails), for tests of a host's per-package recovery. Replaces any corruption still
    /// pending; `times` 0 cancels it.
    public func corruptPackage(_ id: Int, times: Int = 1) {
        state.withLock { $0.corruptPackages = times > 0 ? [id: times] : [:] }
    }

    /// The baud the module's UART runs at now.
    public var baud: Int { state.withLock { $0.baud } }
    /// Whether the module has answered SYNC since it last booted, reset or slept.
    public var isSynced: Bool { state.withLock { $0.synced } }
    /// What the last INITIAL set, if any.
    public var format: Format? { state.withLock { $0.format } }
    /// The package size in force.
    public var packageSize: Int { state.withLock { $0.packageSize } }
    /// LIGHT and CONTRAST-BRIGHTNESS-EXPOSURE as set.
    public var imageSettings: ImageSettings { state.withLock { $0.settings } }
    /// The uCAM-III's sleep timeout in seconds (0: never).
    public var sleepTimeout: UInt8 { state.withLock { $0.sleepTimeout } }
    /// The package IDs the host asked for since the last GET PICTURE, in order.
    public var packageRequests: [UInt16] { state.withLock { $0.requests } }
    /// The frame the most recent GET PICTURE served.
    public var lastServedFrame: SceneFrame? { state.withLock { $0.lastServed } }

    // MARK: Firmware

    typealias Decoder = OV528Decoder

    public func run() async { await core.run(self) }

    var interByteTimeout: Duration { configuration.interByteTimeout }
    var tickInterval: Duration { configuration.tickInterval }

    func boot() async throws {
        restart(wholeSystem: true)
        try await core.switchBaud(to: configuration.variant.defaultBaud)
        try await core.sleep(for: configuration.bootTime)
        try await port.flush(.input)  // what arrived while booting was never heard
    }

    /// What power-up and RESET do: the state machine and transfer go; a whole-system reset
    /// also forgets the settings and the sync, and (after ``boot()``) the baud.
    private func restart(wholeSystem: Bool) {
        state.withLock { state in
            state.transfer = nil
            state.rawPending = false
            state.snapshot = nil
            guard wholeSystem else { return }
            state.format = nil
            state.packageSize = OV528.defaultPackageSize
            state.settings = ImageSettings()
            state.sleepTimeout = configuration.sleepTimeout
            state.baud = configuration.variant.defaultBaud
            loseSync(&state)
        }
    }

    private func loseSync(_ state: inout State) {
        state.synced = false
        state.syncsHeard = 0
        state.syncsNeeded = Self.drawSyncTries(&state.random, configuration.syncTries)
        state.transfer = nil
    }

    private static func drawSyncTries(_ random: inout SeededRandom, _ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.count))
    }

    func partialRequestDropped(_ count: Int) async throws {
        guard isSynced else { return }
        try await nak(.commandLength)
    }

    /// The uCAM-III's sleep timer.
    func tick() async throws {
        let now = clock.now
        let asleep = state.withLock { state -> Bool in
            guard state.synced, state.sleepTimeout > 0,
                  now >= state.lastCommand.advanced(by: .seconds(Int(state.sleepTimeout))) else { return false }
            loseSync(&state)
            return true
        }
        if asleep { core.trace(.event, "asleep: SYNC to wake") }
    }

    func handle(_ output: OV528Decoder.Output) async throws {
        switch output {
        case .skipped(let count):
            core.trace(.received, "\(count) bytes that begin no command")
            if isSynced { try await nak(.commandHeader) }
        case .package:
            break  // a camera never expects one
        case .message(let message):
            core.trace(.received, message.description)
            guard message.address == configuration.address else { return }  // for another camera
            let synced = state.withLock { state -> Bool in
                state.lastCommand = clock.now
                return state.synced
            }
            if synced {
                try await execute(message)
            } else if message.knownCommand == .sync {
                try await hearSync()
            }
        }
    }

    /// An unsynced module counts SYNCs and answers once it has heard enough.
    private func hearSync() async throws {
        let answers = state.withLock { state -> Bool in
            state.syncsHeard += 1
            guard state.syncsHeard >= state.syncsNeeded else { return false }
            state.synced = true
            return true
        }
        guard answers else { return }
        core.trace(.event, "synchronised")
        try await core.sleep(for: configuration.commandLatency)
        try await answerSync()
    }

    private func answerSync() async throws {
        try await ack(.sync)
        try await send(.sync(address: configuration.address))
    }

    private func execute(_ message: OV528Message) async throws {
        let variant = configuration.variant
        guard let command = message.knownCommand, variant.hostCommands.contains(command) else {
            try await core.sleep(for: configuration.commandLatency)
            let cameraToHost: Set<UInt8> = [OV528.Command.data.rawValue, OV528.Command.nak.rawValue]
            return try await nak(cameraToHost.contains(message.command) ? .unexpectedCommand : .commandID)
        }
        if command == .ack { return try await acknowledged(message) }
        try await core.sleep(for: configuration.commandLatency)
        switch command {
        case .sync:
            try await answerSync()
        case .initial:
            try await initial(message)
        case .setPackageSize:
            guard message.p1 == 0x08, message.p4 == 0 else { return try await nak(.parameter) }
            let size = Int(message.p2) | Int(message.p3) << 8
            guard OV528.packageSizes.contains(size) else { return try await nak(.setTransferPackageSize) }
            state.withLock { $0.packageSize = size }
            try await ack(command)
        case .snapshot:
            try await snapshot(message)
        case .getPicture:
            try await getPicture(message)
        case .setBaud:
            guard message.p3 == 0, message.p4 == 0,
                  let baud = OV528.baud(divider1: message.p1, divider2: message.p2),
                  SerialConfiguration.standardBaudRates.contains(baud) else { return try await nak(.parameter) }
            try await ack(command)  // at the old rate
            try await core.switchBaud(to: baud)
            state.withLock { $0.baud = baud }
            core.trace(.event, "UART now at \(baud) baud")
        case .reset:
            guard let kind = OV528.ResetKind(rawValue: message.p1), message.p2 == 0, message.p3 == 0,
                  message.p4 == 0x00 || message.p4 == 0xFF else { return try await nak(.parameter) }
            try await ack(command)
            restart(wholeSystem: kind == .wholeSystem)
            if kind == .wholeSystem {
                try await core.switchBaud(to: variant.defaultBaud)
                try await core.sleep(for: configuration.bootTime)
                try await port.flush(.input)
            }
        case .powerDown:
            guard message.p1 == 0, message.p2 == 0, message.p3 == 0, message.p4 == 0 else { return try await nak(.parameter) }
            try await ack(command)
            state.withLock { loseSync(&$0) }
            core.trace(.event, "powered down: SYNC to wake")
        case .light:
            guard message.p1 <= 1, message.p2 == 0, message.p3 == 0, message.p4 == 0 else { return try await nak(.parameter) }
            state.withLock { $0.settings.sixtyHertz = message.p1 == 1 }
            try await ack(command)
        case .contrastBrightnessExposure:
            guard message.p1 <= 4, message.p2 <= 4, message.p3 <= 4, message.p4 == 0 else { return try await nak(.parameter) }
            state.withLock { state in
                state.settings.contrast = message.p1
                state.settings.brightness = message.p2
                state.settings.exposure = message.p3
            }
            try await ack(command)
        case .sleep:
            guard message.p1 == 0, message.p3 == 0, message.p4 == 0 else { return try await nak(.parameter) }
            state.withLock { $0.sleepTimeout = message.p2 }
            try await ack(command)
        case .ack, .data, .nak:
            break  // handled above
        }
    }

    private func initial(_ message: OV528Message) async throws {
        let variant = configuration.variant
        guard message.p1 == 0 else { return try await nak(.parameter) }
        guard let colour = variant.colourFormat(code: message.p2) else { return try await nak(.pictureFormat) }
        var format = Format(colour: colour)
        if colour == .jpeg {
            guard let resolution = variant.jpegResolution(code: message.p4) else { return try await nak(.pictureSize) }
            format.jpegResolution = resolution
        } else {
            guard let resolution = variant.jpegResolution(code: message.p3) else { return try await nak(.pictureSize) }
            format.rawResolution = resolution
        }
        state.withLock { state in
            state.format = format
            state.snapshot = nil
            state.transfer = nil
        }
        try await ack(.initial)
    }

    private func snapshot(_ message: OV528Message) async throws {
        guard let type = OV528.SnapshotType(rawValue: message.p1), message.p4 == 0 else { return try await nak(.parameter) }
        guard let format = state.withLock({ $0.format }) else { return try await nak(.unexpectedCommand) }
        guard (type == .compressed) == (format.colour == .jpeg) else { return try await nak(.pictureType) }
        try await ack(.snapshot)
        let skip = Int(message.p2) | Int(message.p3) << 8
        try await core.sleep(until: core.frameTime(after: skip))
        let picture = try capture(.snapshot, format: format)
        state.withLock { $0.snapshot = picture }
    }

    private func getPicture(_ message: OV528Message) async throws {
        guard let type = OV528.PictureType(rawValue: message.p1), message.p2 == 0, message.p3 == 0, message.p4 == 0 else {
            return try await nak(.pictureType)
        }
        let (format, snapshot) = state.withLock { ($0.format, $0.snapshot) }
        guard let format else { return try await nak(.unexpectedCommand) }
        let picture: Picture
        switch type {
        case .snapshot:
            guard let snapshot else { return try await nak(.pictureNotReady) }
            picture = snapshot
        case .jpegPreview, .rawPreview:
            guard (type == .jpegPreview) == (format.colour == .jpeg) else { return try await nak(.pictureType) }
            picture = try capture(type, format: format)
        }
        try await ack(.getPicture)
        state.withLock { state in
            state.requests = []
            state.lastServed = picture.frame
            state.transfer = picture.raw ? nil : Transfer(picture: picture, packageSize: state.packageSize)
            state.rawPending = picture.raw
        }
        try await send(.data(type, size: picture.bytes.count, address: configuration.address))
        if picture.raw {
            try await core.send(picture.bytes, describing: "\(picture.bytes.count) bytes of raw image")
        }
    }

    /// The host's ACKs: of SYNC and of a raw image (nothing to do), a package request, or the
    /// end of a transfer.
    private func acknowledged(_ message: OV528Message) async throws {
        switch message.p1 {
        case OV528.Command.sync.rawValue:
            return
        case OV528.Command.data.rawValue:
            state.withLock { $0.rawPending = false }
            return
        case 0x00:
            break
        default:
            return  // an ACK of something else: nothing to do
        }
        let id = message.packageID
        let transfer = state.withLock { state -> Transfer? in
            if id == OV528.endOfTransfer {
                state.transfer = nil
                return nil
            }
            state.requests.append(id)
            return state.transfer
        }
        if id == OV528.endOfTransfer { return }
        try await core.sleep(for: configuration.packageLatency)
        guard let transfer else { return try await nak(.unexpectedReply) }
        guard Int(id) < transfer.count else { return try await nak(.transferPackageNumber) }
        var bytes = OV528Package.slice(transfer.picture.bytes, id: Int(id), packageSize: transfer.packageSize).encoded
        let corrupt = state.withLock { state -> Bool in
            guard let remaining = state.corruptPackages[Int(id)], remaining > 0 else { return false }
            state.corruptPackages[Int(id)] = remaining > 1 ? remaining - 1 : nil
            return true
        }
        let (drop, corruptNext) = core.takeReplyFaults()
        if drop { return core.trace(.event, "dropped package \(id)") }
        if corrupt || corruptNext { bytes[4 + (bytes.count - 6) / 2] ^= 0x5A }
        try await core.send(bytes, describing: "package \(id) of \(transfer.count), \(bytes.count) bytes")
    }

    // MARK: Frames

    private func capture(_ type: OV528.PictureType, format: Format) throws -> Picture {
        if let resolution = format.jpegResolution {
            let frame = try core.frame(at: clock.now, width: resolution.width, height: resolution.height, quality: configuration.jpegQuality)
            return Picture(type: type, frame: frame, bytes: frame.jpeg, raw: false)
        }
        let resolution = format.rawResolution ?? configuration.variant.jpegResolutions[0]
        let frame = try core.frame(at: clock.now, width: resolution.width, height: resolution.height, quality: 95)
        let bytes = try rawImages.render(frame.jpeg, as: format.colour, model: model)
        return Picture(type: type, frame: frame, bytes: bytes, raw: true)
    }

    // MARK: Output

    private func ack(_ command: OV528.Command) async throws {
        let counter = state.withLock { state -> UInt8 in
            defer { state.ackCounter &+= 1 }
            return state.ackCounter
        }
        try await send(.ack(command, counter: counter, address: configuration.address))
    }

    private func nak(_ error: OV528.ErrorCode) async throws {
        let counter = state.withLock { state -> UInt8 in
            defer { state.nakCounter &+= 1 }
            return state.nakCounter
        }
        try await send(.nak(error, counter: counter, address: configuration.address))
    }

    private func send(_ message: OV528Message) async throws {
        var bytes = message.encoded
        let (drop, corrupt) = core.takeReplyFaults()
        if drop { return core.trace(.event, "dropped the reply: \(message)") }
        if corrupt { bytes[bytes.count - 1] ^= 0x5A }
        try await core.send(bytes, describing: message.description)
    }
}
