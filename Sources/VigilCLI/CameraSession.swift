import ArgumentParser
import BoardSupport
import CameraDrivers
import HAL
import HALLinux
import JPEG
import CameraProtocols

/// Which camera a camera command talks to: the board's, or one named on the command line.
struct CameraOptions: ParsableArguments {
    @Option(help: "The camera's serial port (default: the board's camera device).")
    var port: String?

    @Option(help: "The camera model on --port: vc0706, ov528 or ucam3 (default: found out on --port, the board's otherwise).")
    var camera: CameraModel?

    @Option(help: "The baud to try first (default: the board's); other bauds are probed.")
    var baud: Int?

    @Option(help: "The fastest baud to move the camera to (default: 115200).")
    var maxBaud: Int?

    @Flag(help: "Read each frame twice and compare (evidence grade; twice the transfer time).")
    var verify = false
}

extension CameraModel: ExpressibleByArgument {}

extension NodeContext {
    /// Opens the camera's port, makes its driver and connects, then runs `body` with it,
    /// all with the board alive (the simulated node runs meanwhile). Without `--camera`, on a
    /// `--port` of its own or with `detect`, whatever camera answers is found (VC0706, OV528
    /// or uCAM-III); otherwise the board's model is taken.
    func withCamera<T: Sendable>(
        _ options: CameraOptions, preferFastest: Bool = true, detect: Bool = false,
        _ body: @Sendable @escaping (any Camera, CameraInfo) async throws -> T
    ) async throws -> T {
        let plan = try cameraPlan(options, preferFastest: preferFastest, detect: detect)
        return try await run { [self] in
            let port = try await openPort(plan)
            do {
                let camera: any Camera, info: CameraInfo
                if plan.model == nil {
                    (camera, info) = try await CameraDetector(
                        port: port, vc0706: vc0706Options(plan), ov528: ov528Options(plan),
                        preferred: board.camera.model == .vc0706 ? .vc0706 : .ov528
                    ).connect()
                } else {
                    camera = makeCamera(plan, port: port)
                    info = try await camera.connect()
                }
                let result = try await body(camera, info)
                await port.close()
                return result
            } catch {
                await port.close()
                throw error
            }
        }
    }

    /// What ``openCamera(_:)`` opens, checked before the board starts.
    struct CameraPlan: Sendable {
        var path: String
        /// The model named by `--camera` or the board; nil to find out.
        var model: CameraModel?
        var baud: Int
        /// Whether the baud was named rather than taken from the board.
        var baudGiven: Bool
        var maxBaud: Int
        var verify: Bool
        var preferFastest: Bool
        var power: (any LineRequest)?
    }

    /// Checks the camera options against the board and takes the camera's power line.
    func cameraPlan(_ options: CameraOptions, preferFastest: Bool = true, detect: Bool = false) throws -> CameraPlan {
        try cameraPlan(
            port: options.port, model: options.camera, baud: options.baud, maxBaud: options.maxBaud ?? 115200, verify: options.verify,
            preferFastest: preferFastest, detect: detect)
    }

    /// Checks a camera's settings and takes the camera's power line. A model of nil is the
    /// board's, or found out when `detect` is set or the port is not the board's; a baud of
    /// nil is the board's.
    func cameraPlan(
        port: String?, model: CameraModel?, baud: Int?, maxBaud: Int, verify: Bool, preferFastest: Bool = true, detect: Bool = false
    ) throws -> CameraPlan {
        let path = port ?? board.camera.device
        let model = model ?? (detect || port != nil ? nil : board.camera.model)
        let baudGiven = baud != nil
        let baud = baud ?? board.camera.baud
        switch model {
        case .vc0706:
            guard VC0706.supportedBauds.contains(baud) else {
                throw CLIError("--baud \(baud) is not a VC0706 baud; use one of \(VC0706.supportedBauds.map(String.init).joined(separator: ", "))")
            }
        case .ov528, .ucam3, nil:
            guard OV528.Variant.ov528.baudDivisors(for: baud) != nil, SerialConfiguration.standardBaudRates.contains(baud) else {
                throw CLIError("--baud \(baud) is not a baud a serial camera can be set to; use one of \(Self.ov528Bauds.map(String.init).joined(separator: ", "))")
            }
        }
        return CameraPlan(
            path: path, model: model, baud: baud, baudGiven: baudGiven, maxBaud: maxBaud, verify: verify, preferFastest: preferFastest,
            power: try? cameraPowerSwitch())
    }

    /// Opens the planned camera's port and makes its driver (the board's model, or the one
    /// `--camera` names), not yet connected. Call it from within ``run(_:)`` (a simulated port
    /// lives as long as the board runs).
    func openCamera(_ plan: CameraPlan) async throws -> (any Camera, AnySerialPort) {
        let port = try await openPort(plan)
        return (makeCamera(plan, port: port), port)
    }

    private func openPort(_ plan: CameraPlan) async throws -> AnySerialPort {
        // A real device path goes to the system's ports whatever board is simulated.
        let provider: any SerialProvider = plan.path.hasPrefix(BoardCamera.simulatedDevicePrefix) ? serial : LinuxSerial()
        return AnySerialPort(try await provider.open(plan.path, configuration: SerialConfiguration(baudRate: plan.baud)))
    }

    private func makeCamera(_ plan: CameraPlan, port: AnySerialPort) -> any Camera {
        switch plan.model ?? board.camera.model {
        case .vc0706: VC0706Camera(port: port, options: vc0706Options(plan))
        case .ov528, .ucam3: OV528Camera(port: port, options: ov528Options(plan))
        }
    }

    /// The bauds OV528-family cameras are looked for at, the commonest first.
    static let ov528Bauds = [115200, 57600, 38400, 19200, 9600, 230400, 460800, 921600]

    private func vc0706Options(_ plan: CameraPlan) -> VC0706Camera<AnySerialPort>.Options {
        var options = VC0706Camera<AnySerialPort>.Options()
        options.frameValidator = Self.frameValidator()
        options.verification = plan.verify ? .verified : .standard
        let first = VC0706.supportedBauds.contains(plan.baud) ? [plan.baud] : []
        options.probeBauds = first + options.probeBauds.filter { $0 != plan.baud }
        options.preferredBauds = plan.preferFastest ? options.preferredBauds.filter { $0 <= plan.maxBaud } : []
        if let power = plan.power { options.power = { on in try power.setValues([on]) } }
        return options
    }

    private func ov528Options(_ plan: CameraPlan) -> OV528Camera<AnySerialPort>.Options {
        var options = OV528Camera<AnySerialPort>.Options()
        options.frameValidator = Self.frameValidator()
        options.verification = plan.verify ? .verified : .standard
        // The board's or the named baud first, where it is an OV528-family board's; else
        // the family's own default.
        let named = plan.baudGiven || (plan.model != nil && board.camera.model != .vc0706)
        options.probeBauds = (named ? [plan.baud] : []) + Self.ov528Bauds.filter { !named || $0 != plan.baud }
        options.preferredBauds = plan.preferFastest ? Self.ov528Bauds.filter { $0 <= plan.maxBaud }.sorted(by: >) : []
        if let power = plan.power { options.power = { on in try power.setValues([on]) } }
        return options
    }

    private static func frameValidator() -> @Sendable ([UInt8]) -> Bool {
        let codec = JPEGCodec()
        return { (try? codec.decode($0, format: .gray, scale: .eighth)) != nil }
    }

    /// The board's camera-power line, requested as an output (on), if the board has one and
    /// nobody else holds it.
    private func cameraPowerSwitch() throws -> (any LineRequest)? {
        guard board.lines[.cameraPower] != nil else { return nil }
        let line = try resolveLine(LogicalLine.cameraPower.rawValue)
        return try line.chip.requestLines([line.offset], settings: line.settings, consumer: "vigil")
    }
}

/// Any serial port, as one concrete type, so that drivers generic over their port can take a
/// port chosen at run time (libserialport, termios, simulated).
final class AnySerialPort: SerialPort {
    let base: any SerialPort
    init(_ base: any SerialPort) { self.base = base }

    var name: String { base.name }
    var configuration: SerialConfiguration { base.configuration }
    var clock: any HALClock { base.clock }
    func reconfigure(_ configuration: SerialConfiguration) async throws(HALError) { try await base.reconfigure(configuration) }
    func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await base.read(upTo: maxCount, deadline: deadline)
    }
    func write(_ bytes: [UInt8]) async throws(HALError) { try await base.write(bytes) }
    func drain() async throws(HALError) { try await base.drain() }
    func flush(_ queues: SerialQueues) async throws(HALError) { try await base.flush(queues) }
    func close() async { await base.close() }
}
