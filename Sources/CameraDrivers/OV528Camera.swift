import CameraProtocols
import HAL
import Synchronization

/// The controller side of an OV528-protocol camera (Seeed Grove Serial Camera) or a 4D Systems
/// uCAM-III on a serial port.
///
/// ``connect()`` SYNCs as the uCAM hosts do (up to 60 tries, 5 ms apart growing by 1 ms), at
/// the port's baud and then at each probe baud, power-cycling the camera where a power switch
/// is given; tells the variant by its answer to SLEEP (a uCAM-III takes it, and its sleep
/// timer is turned off; an OV528 refuses it); sets JPEG at the chosen size and the largest
/// package size the camera takes; and moves camera and port to the fastest preferred baud
/// that answers.
///
/// A snapshot is SNAPSHOT, GET PICTURE and the image package by package. Every package is
/// checked (its ID, its size and its verify byte); a bad or missing one is asked for again,
/// alone, up to ``Options/packageAttempts`` times, and the frame carries on from there. The
/// whole frame is then checked as a JPEG (and decoded, with a validator) before it is
/// returned. A package that never comes right starts the frame again with smaller packages;
/// a camera that stops answering is SYNCed again, looked for at every baud, and finally
/// power-cycled.
public final class OV528Camera<Port: SerialPort>: Camera {
    public struct Options: Sendable {
        /// The camera address (0...7) carried in every ID byte.
        public var address: UInt8 = 0
        /// Bauds to look for the camera at, after the port's own, in order.
        public var probeBauds = [115200, 57600, 38400, 19200, 9600]
        /// Bauds to move to after connecting, fastest first; empty stays where the camera is.
        public var preferredBauds = [115200]
        /// Package sizes to use, largest first; a link that does not hold one gets the next.
        public var packageSizes = [512, 256, 128, 64]
        /// The JPEG size to take frames at (the variant's largest if there is no such size).
        public var width = 640
        public var height = 480
        /// Frames SNAPSHOT skips before capturing.
        public var skipFrames: UInt16 = 0
        public var verification = FrameVerification.standard
        /// A full decode of each frame (libturbojpeg in Vigil); false rejects the frame.
        public var frameValidator: (@Sendable ([UInt8]) -> Bool)?
        /// Attempts per snapshot before giving up.
        public var attempts = 4
        /// Requests of one package before the frame is started again.
        public var packageAttempts = 8
        /// SYNCs sent before a baud is given up on.
        public var syncTries = OV528.maximumSyncTries
        /// Time allowed on top of the wire time for a reply to start.
        public var replyMargin: Duration = .milliseconds(200)
        /// Time allowed on top of a package's wire time for it to arrive whole.
        public var packageMargin: Duration = .milliseconds(100)
        /// How long a package that has not started is waited for (the line may be held up)
        /// before it is asked for again.
        public var stallTimeout: Duration = .seconds(3)
        /// Switches the camera's power, for recovering a wedged module; nil if the board
        /// cannot.
        public var power: (@Sendable (Bool) async throws -> Void)?
        public var powerOffTime: Duration = .milliseconds(500)
        /// How long the camera takes to listen after power-up.
        public var bootTime: Duration = .seconds(1)

        public init() {}
    }

    struct State {
        var decoder = OV528Decoder()
        var variant: OV528.Variant?
        var resolution: OV528.Resolution?
        var packageSizeIndex = 0
        var info: CameraInfo?
        /// The last frame was given up on because one package never came right.
        var packageGivenUp = false
        /// A SYNC's answer was cut off by its deadline while bytes kept coming.
        var syncHeardNoise = false
    }

    public let options: Options
    public let motionEvents: AsyncStream<MotionEvent>
    let port: Port
    let clock: any HALClock
    private let gate = OperationGate()
    private let motion: AsyncStream<MotionEvent>.Continuation
    private let state = Mutex(State())

    public init(port: Port, options: Options = Options()) {
        self.port = port
        clock = port.clock
        self.options = options
        (motionEvents, motion) = AsyncStream.makeStream(of: MotionEvent.self)
    }

    deinit { motion.finish() }

    /// `ov528` or `ucam3` once connected (`ov528` before: the family's name).
    public var model: String { variant?.rawValue ?? OV528.Variant.ov528.rawValue }

    /// The variant found by ``connect()``.
    public var variant: OV528.Variant? { state.withLock { $0.variant } }

    /// The package size in use.
    public var packageSize: Int { options.packageSizes[min(state.withLock { $0.packageSizeIndex }, options.packageSizes.count - 1)] }

    // MARK: Camera

    public func connect() async throws(CameraError) -> CameraInfo {
        try await gate.run { () async throws(CameraError) in
            try await findCamera()
            try await identify()
            try await setUp()
            try await upgradeBaud()
            return readInfo()
        }
    }

    public func info() async throws(CameraError) -> CameraInfo {
        try await gate.run { () async throws(CameraError) in
            if let info = state.withLock({ $0.info }), info.baud == port.configuration.baudRate { return info }
            guard variant != nil else { throw CameraError(.noCamera, "not connected: call connect() first") }
            return readInfo()
        }
    }

    public func configure(_ settings: CameraSettings) async throws(CameraError) {
        try await gate.run { () async throws(CameraError) in
            let variant = try connectedVariant()
            if let compression = settings.compression {
                throw CameraError(.unsupported, "the \(variant.name) has no compression setting (asked for \(compression))")
            }
            guard settings.width != nil || settings.height != nil else { return }
            let current = state.withLock { $0.resolution }
            let width = settings.width ?? current?.width ?? options.width
            let height = settings.height ?? current?.height ?? options.height
            guard let resolution = variant.jpegResolution(width: width, height: height) else {
                let sizes = variant.jpegResolutions.map(\.description).joined(separator: ", ")
                throw CameraError(.unsupported, "the \(variant.name) has no \(width)x\(height) mode; it has \(sizes)")
            }
            _ = try await transact(.initialJPEG(resolution, variant: variant, address: options.address))
            state.withLock { $0.resolution = resolution }
            _ = readInfo()
        }
    }

    public func snapshot(progress: (@Sendable (TransferProgress) -> Void)? = nil) async throws(CameraError) -> CapturedFrame {
        try await gate.run { () async throws(CameraError) in
            _ = try connectedVariant()
            var lastError = CameraError(.timedOut, "no attempt made")
            var retries = 0
            for attempt in 0..<max(options.attempts, 1) {
                do throws(CameraError) {
                    if attempt > 0 { try await recover(after: lastError) }
                    return try await captureFrame(retries: &retries, progress: progress)
                } catch {
                    if error.kind == .cancelled || error.kind == .unsupported { throw error }
                    lastError = error
                    retries += 1
                }
            }
            throw lastError
        }
    }

    /// The OV528 family has no motion detection of its own.
    public let detectsMotion = false

    public func setMotionDetection(_ enabled: Bool) async throws(CameraError) {
        guard enabled else { return }
        throw CameraError(.unsupported, "the OV528 family has no motion detection of its own: use a PIR sensor")
    }

    // MARK: Frames

    private func captureFrame(retries: inout Int, progress: (@Sendable (TransferProgress) -> Void)?) async throws(CameraError) -> CapturedFrame {
        _ = try await transact(.snapshot(.compressed, skipFrames: options.skipFrames, address: options.address))
        let captureTime = clock.now
        var jpeg = try await fetchPicture(retries: &retries, progress: progress)
        if options.verification == .verified {
            let second = try await fetchPicture(retries: &retries, progress: nil)
            guard second == jpeg else { throw CameraError(.corruptFrame, "two reads of the snapshot differ") }
        }
        let transferTime = captureTime.duration(to: clock.now)
        jpeg = try FrameCheck.jpeg(jpeg, length: jpeg.count, validator: options.frameValidator)
        let resolution = state.withLock { $0.resolution }
        return CapturedFrame(
            jpeg: jpeg, captureTime: captureTime, transferTime: transferTime, retries: retries,
            width: resolution?.width ?? 0, height: resolution?.height ?? 0)
    }

    /// GET PICTURE of the snapshot, then its packages one by one.
    private func fetchPicture(retries: inout Int, progress: (@Sendable (TransferProgress) -> Void)?) async throws(CameraError) -> [UInt8] {
        let start = clock.now
        let request = OV528Message.getPicture(.snapshot, address: options.address)
        // The camera waits for the skipped frames before it answers (at 5 frames a second or more).
        let skipping = Duration.milliseconds(200) * Int(options.skipFrames)
        _ = try await transact(request, extraTime: skipping)
        let data = try await awaitMessage(describing: "DATA after GET PICTURE", extraTime: .zero) { $0.knownCommand == .data }
        let size = data.imageSize
        let variant = try connectedVariant()
        // Checked before anything is allocated or asked for: the size is three bytes off the wire.
        guard size >= 4, size <= variant.largestJPEGSize else {
            throw CameraError(.protocolViolation, "the camera announced a picture of \(size) bytes; a \(variant.name) JPEG has 4 to \(variant.largestJPEGSize)")
        }
        let packageSize = packageSize
        let count = OV528.packageCount(imageSize: size, packageSize: packageSize)
        guard count < Int(OV528.endOfTransfer) else {
            throw CameraError(.protocolViolation, "a picture of \(size) bytes takes \(count) packages of \(packageSize) bytes, more than package IDs can number")
        }
        var image: [UInt8] = []
        image.reserveCapacity(size)
        for id in 0..<count {
            let dataSize = OV528.packageDataSize(id: id, imageSize: size, packageSize: packageSize)
            image += try await fetchPackage(UInt16(truncatingIfNeeded: id), dataSize: dataSize, retries: &retries)
            progress?(TransferProgress(bytes: image.count, total: size, elapsed: start.duration(to: clock.now)))
        }
        try await send(.endTransfer(address: options.address))
        return image
    }

    /// Asks for package `id` until it arrives whole and checked. A package short by a byte or
    /// two when its time is up has lost them and is asked for again; one that has not started,
    /// or stopped further short, may be held up on the line and is waited for (once, up to
    /// ``Options/stallTimeout``) before it is asked for again.
    private func fetchPackage(_ id: UInt16, dataSize: Int, retries: inout Int) async throws(CameraError) -> [UInt8] {
        let length = dataSize + OV528.packageOverhead
        let wire = port.configuration.wireTime(forBytes: OV528.messageLength + length)
        // One and a half times the wire time (in nanoseconds: Duration's arithmetic with integers is slow).
        let allowed = wire + .nanoseconds(wire.nanoseconds / 2) + options.packageMargin
        var problem = ""
        var requests = 0
        var waitedForStall = false
        var read = CameraRead("package", number: Int(id), clock: clock, within: .zero)
        var ask = true
        while true {
            if ask {
                guard requests < max(options.packageAttempts, 1) else { break }
                if requests > 0 { retries += 1 }
                requests += 1
                state.withLock { $0.decoder.expectPackage(id: id, length: length) }
                read = CameraRead("package", number: Int(id), clock: clock, within: allowed, budget: length + CameraRead.replyBudget)
            }
            // The request goes with the package's first read, in one port operation.
            let request = ask ? OV528Message.requestPackage(id, address: options.address) : nil
            ask = true
            switch try await receivePackage(&read, length: length, asking: request) {
            case .package(let bytes):
                do throws(OV528PackageError) {
                    return try OV528Package.decode(bytes, id: id, dataSize: dataSize).data
                } catch {
                    problem = "package \(id): \(error)"
                }
            case .nak(let message):
                problem = "package \(id) refused: \(message.errorCode?.description ?? "error \(message.p3)")"
                // The camera lost the transfer: the frame must start again.
                if message.errorCode == .unexpectedReply || message.errorCode == .transferPackageNumber {
                    throw CameraError(.protocolViolation, problem)
                }
            case .timedOut(let received):
                if received < length - 2 && !waitedForStall {
                    waitedForStall = true
                    read = CameraRead("package", number: Int(id), clock: clock, within: options.stallTimeout, budget: length + CameraRead.replyBudget)
                    ask = false
                    continue
                }
                problem = "package \(id): \(received) of \(length) bytes in time"
            }
            try await resync()
        }
        state.withLock { $0.packageGivenUp = true }
        throw CameraError(.corruptFrame, "\(problem), after \(requests) requests")
    }

    private enum PackageOutcome {
        case package([UInt8])
        case nak(OV528Message)
        case timedOut(received: Int)
    }

    /// The package `read` is for, or what came instead; `request`, if any, is sent first (with
    /// the first read, so that the port can time the reply from it).
    private func receivePackage(_ read: inout CameraRead, length: Int, asking request: OV528Message?) async throws(CameraError) -> PackageOutcome {
        var request = request
        while true {
            while let output = state.withLock({ $0.decoder.next() }) {
                switch output {
                case .package(let bytes): return .package(bytes)
                case .message(let message) where message.isNAK: return .nak(message)
                case .message, .skipped: continue  // stale replies
                }
            }
            let buffered = state.withLock { $0.decoder.bufferedCount }
            let bytes: [UInt8]
            if let message = request {
                request = nil
                bytes = try await port.exchange(message.encoded, &read, expecting: max(1, length - buffered))
            } else {
                bytes = try await port.receive(&read, expecting: max(1, length - buffered))
            }
            if bytes.isEmpty { return .timedOut(received: state.withLock { $0.decoder.bufferedCount }) }
            state.withLock { $0.decoder.feed(bytes) }
        }
    }

    // MARK: Commands

    /// Sends `message` and returns the camera's ACK of it, skipping anything else; a NAK
    /// throws ``CameraError/Kind/rejected``. A reply that does not come in time (a busy host,
    /// a lost byte) is asked for again, up to `attempts` times in all.
    @discardableResult
    private func transact(_ message: OV528Message, extraTime: Duration = .zero, attempts: Int = 2) async throws(CameraError) -> OV528Message {
        let name = message.knownCommand?.description ?? "the command"
        var attempt = 1
        while true {
            try await send(message)
            let reply: OV528Message
            do throws(CameraError) {
                reply = try await awaitMessage(describing: "the ACK of \(name)", extraTime: extraTime, expected: message.command) { reply in
                    reply.isNAK || (reply.knownCommand == .ack && reply.p1 == message.command)
                }
            } catch where error.kind == .timedOut && attempt < attempts {
                attempt += 1
                try await resync()
                continue
            }
            guard !reply.isNAK else {
                throw CameraError(.rejected, "the camera refused \(name): \(reply.errorCode?.description ?? "error 0x" + Hex.byte(reply.p3))")
            }
            return reply
        }
    }

    /// The next message from this camera that `matches`, skipping others.
    ///
    /// A reply that acknowledges another command than `expected` is remembered: if nothing
    /// matching comes, the error names both commands instead of a plain timeout.
    private func awaitMessage(
        describing what: String, extraTime: Duration, expected: UInt8? = nil, _ matches: (OV528Message) -> Bool
    ) async throws(CameraError) -> OV528Message {
        var read = CameraRead(
            what, clock: clock, within: port.configuration.wireTime(forBytes: 3 * OV528.messageLength) + options.replyMargin + extraTime)
        var answeredInstead: OV528Message?
        while true {
            while let output = state.withLock({ $0.decoder.next() }) {
                guard case .message(let message) = output, message.address == options.address else { continue }
                if matches(message) { return message }
                if let expected, message.knownCommand == .ack, message.p1 != expected { answeredInstead = message }
            }
            let bytes = try await port.receive(&read)
            if bytes.isEmpty {
                if let expected, let other = answeredInstead {
                    let asked = OV528.Command(rawValue: expected)?.description ?? "command 0x" + Hex.byte(expected)
                    let answered = OV528.Command(rawValue: other.p1)?.description ?? "command 0x" + Hex.byte(other.p1)
                    throw CameraError(.protocolViolation, "the camera acknowledged \(answered) when asked for \(asked): it is out of step with the driver")
                }
                throw CameraError(.timedOut, "no \(what) at \(port.configuration.baudRate) baud\(read.detail)")
            }
            state.withLock { $0.decoder.feed(bytes) }
        }
    }

    private func send(_ message: OV528Message) async throws(CameraError) {
        try await port.send(message.encoded)
    }

    /// SYNCs as the uCAM hosts do until the camera answers ACK and SYNC; ACKs its SYNC.
    private func sync(tries: Int) async throws(CameraError) -> Bool {
        state.withLock { $0.decoder.reset() }
        var ackSeen = false
        for attempt in 0..<max(tries, 1) {
            try await send(.sync(address: options.address))
            var read = CameraRead(
                "the answer to SYNC", clock: clock,
                within: port.configuration.wireTime(forBytes: 3 * OV528.messageLength) + .milliseconds(5 + attempt))
            while true {
                let bytes = try await port.receive(&read)
                if bytes.isEmpty {
                    if read.overrun { state.withLock { $0.syncHeardNoise = true } }
                    break
                }
                state.withLock { $0.decoder.feed(bytes) }
                while let output = state.withLock({ $0.decoder.next() }) {
                    guard case .message(let message) = output, message.address == options.address else { continue }
                    if message.acknowledges(.sync) {
                        ackSeen = true
                    } else if ackSeen && message.knownCommand == .sync {
                        try await send(.ack(.sync, address: options.address))
                        return true
                    }
                }
            }
        }
        return false
    }

    /// Finds the camera: SYNC at the port's baud, then at each probe baud; failing that, a
    /// power cycle where possible.
    private func findCamera() async throws(CameraError) {
        state.withLock { $0.syncHeardNoise = false }
        let first = port.configuration.baudRate
        for baud in [first] + options.probeBauds.filter({ $0 != first }) {
            try await setPortBaud(baud)
            if try await sync(tries: options.syncTries) { return }
        }
        if let power = options.power {
            try await port.powerCycle(power, offTime: options.powerOffTime, baud: OV528.Variant.ov528.defaultBaud)
            do { try await clock.sleep(for: options.bootTime) } catch { throw CameraError(.cancelled, "cancelled while the camera booted") }
            if try await sync(tries: options.syncTries) { return }
        }
        let bauds = ([first] + options.probeBauds.filter { $0 != first }).map(String.init).joined(separator: ", ")
        let noise = state.withLock { $0.syncHeardNoise }
        throw CameraError(.noCamera, "no OV528 or uCAM-III answered SYNC on \(port.name) at \(bauds) baud"
            + (options.power == nil ? "" : ", nor after a power cycle")
            + (noise ? "; the line was never quiet (something on it keeps sending)" : ""))
    }

    /// Tells the variant: a uCAM-III takes SLEEP (which turns its sleep timer off), an OV528
    /// refuses it or says nothing.
    private func identify() async throws(CameraError) {
        let variant: OV528.Variant
        do throws(CameraError) {
            try await transact(.sleep(seconds: 0, address: options.address))
            variant = .ucam3
        } catch where error.kind == .rejected || error.kind == .timedOut {
            variant = .ov528
            try await resync()
        }
        state.withLock { $0.variant = variant }
    }

    /// JPEG at the chosen size, and the largest package size the camera takes.
    private func setUp() async throws(CameraError) {
        let variant = try connectedVariant()
        let resolution = state.withLock { $0.resolution }
            ?? variant.jpegResolution(width: options.width, height: options.height)
            ?? variant.jpegResolutions[variant.jpegResolutions.count - 1]
        try await transact(.initialJPEG(resolution, variant: variant, address: options.address))
        state.withLock { $0.resolution = resolution }
        var index = state.withLock { $0.packageSizeIndex }
        while true {
            do throws(CameraError) {
                try await transact(.setPackageSize(options.packageSizes[index], address: options.address))
                break
            } catch where error.kind == .rejected && index + 1 < options.packageSizes.count {
                index += 1
            }
        }
        state.withLock { $0.packageSizeIndex = index }
    }

    /// Moves camera and port to the fastest preferred baud that answers, falling back.
    private func upgradeBaud() async throws(CameraError) {
        let variant = try connectedVariant()
        let current = port.configuration.baudRate
        for baud in options.preferredBauds where baud > current {
            guard let request = OV528Message.setBaud(baud, variant: variant, address: options.address) else { continue }
            try await transact(request, attempts: 1)  // the camera may have switched: never twice
            try await setPortBaud(baud)
            if try await sync(tries: 3) { return }
            // The link does not hold it: back to where we were, or find the camera again.
            try await setPortBaud(current)
            if try await sync(tries: 3) { continue }
            try await findCamera()
            try await setUp()
        }
    }

    /// Brings the camera back to a known state after a failed attempt: the line cleared, a
    /// smaller package size after a package that never came right, and after silence or
    /// nonsense a fresh SYNC (at every baud, with a power cycle, if need be) and set-up.
    private func recover(after error: CameraError) async throws(CameraError) {
        try await resync()
        try? await send(.endTransfer(address: options.address))
        if state.withLock({ state in defer { state.packageGivenUp = false }; return state.packageGivenUp }) {
            let lowered = state.withLock { state -> Bool in
                guard state.packageSizeIndex + 1 < options.packageSizes.count else { return false }
                state.packageSizeIndex += 1
                return true
            }
            if lowered {
                try await transact(.setPackageSize(packageSize, address: options.address))
                return
            }
        }
        guard error.kind == .timedOut || error.kind == .protocolViolation || error.kind == .rejected else { return }
        if try await !sync(tries: options.syncTries) {
            try await findCamera()
        }
        try await setUp()
    }

    private func readInfo() -> CameraInfo {
        let (variant, resolution) = state.withLock { ($0.variant ?? .ov528, $0.resolution) }
        let info = CameraInfo(
            model: variant.rawValue, version: variant.name, port: port.name, baud: port.configuration.baudRate,
            width: resolution?.width ?? 0, height: resolution?.height ?? 0, compression: 0)
        state.withLock { $0.info = info }
        return info
    }

    private func connectedVariant() throws(CameraError) -> OV528.Variant {
        guard let variant else { throw CameraError(.noCamera, "not connected: call connect() first") }
        return variant
    }

    // MARK: The line

    private func setPortBaud(_ baud: Int) async throws(CameraError) {
        if try await port.switchBaud(to: baud) { state.withLock { $0.decoder.reset() } }
    }

    /// Forgets a half-received reply and whatever is still arriving (long enough for the
    /// camera to drop a command cut short and NAK it).
    private func resync() async throws(CameraError) {
        state.withLock { $0.decoder.reset() }
        try await port.discardInput(quiet: port.configuration.wireTime(forBytes: 12) + .milliseconds(30))
    }
}
