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

    @Option(help: "The camera model on --port.")
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
    /// all with the board alive (the simulated node runs meanwhile).
    func withCamera<T: Sendable>(
        _ options: CameraOptions, preferFastest: Bool = true,
        _ body: @Sendable @escaping (VC0706Camera<AnySerialPort>, CameraInfo) async throws -> T
    ) async throws -> T {
        let plan = try cameraPlan(options, preferFastest: preferFastest)
        return try await run { [self] in
            let (camera, port) = try await openCamera(plan)
            do {
                let result = try await body(camera, try await camera.connect())
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
        var baud: Int
        var maxBaud: Int
        var verify: Bool
        var preferFastest: Bool
        var power: (any LineRequest)?
    }

    /// Checks the camera options against the board and takes the camera's power line.
    func cameraPlan(_ options: CameraOptions, preferFastest: Bool = true) throws -> CameraPlan {
        try cameraPlan(
            port: options.port, model: options.camera, baud: options.baud, maxBaud: options.maxBaud ?? 115200, verify: options.verify,
            preferFastest: preferFastest)
    }

    /// Checks a camera's settings (nil: the board's) and takes the camera's power line.
    func cameraPlan(
        port: String?, model: CameraModel?, baud: Int?, maxBaud: Int, verify: Bool, preferFastest: Bool = true
    ) throws -> CameraPlan {
        let path = port ?? board.camera.device
        let model = model ?? board.camera.model
        guard model == .vc0706 else {
            throw CLIError("the \(model) driver is not built yet; only vc0706 cameras are supported")
        }
        let baud = baud ?? board.camera.baud
        guard VC0706.supportedBauds.contains(baud) else {
            throw CLIError("--baud \(baud) is not a VC0706 baud; use one of \(VC0706.supportedBauds.map(String.init).joined(separator: ", "))")
        }
        return CameraPlan(
            path: path, baud: baud, maxBaud: maxBaud, verify: verify, preferFastest: preferFastest, power: try? cameraPowerSwitch())
    }

    /// Opens the planned camera's port and makes its driver, not yet connected. Call it from
    /// within ``run(_:)`` (a simulated port lives as long as the board runs).
    func openCamera(_ plan: CameraPlan) async throws -> (VC0706Camera<AnySerialPort>, AnySerialPort) {
        // A real device path goes to the system's ports whatever board is simulated.
        let provider: any SerialProvider = plan.path.hasPrefix(BoardCamera.simulatedDevicePrefix) ? serial : LinuxSerial()
        let port = AnySerialPort(try await provider.open(plan.path, configuration: SerialConfiguration(baudRate: plan.baud)))
        var driverOptions = VC0706Camera<AnySerialPort>.Options()
        let codec = JPEGCodec()
        driverOptions.frameValidator = { (try? codec.decode($0, format: .gray, scale: .eighth)) != nil }
        driverOptions.verification = plan.verify ? .verified : .standard
        driverOptions.probeBauds = [plan.baud] + VC0706.supportedBauds.filter { $0 != plan.baud }
        driverOptions.preferredBauds = plan.preferFastest ? driverOptions.preferredBauds.filter { $0 <= plan.maxBaud } : []
        if let power = plan.power { driverOptions.power = { on in try power.setValues([on]) } }
        return (VC0706Camera(port: port, options: driverOptions), port)
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
