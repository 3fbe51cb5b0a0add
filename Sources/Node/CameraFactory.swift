import BoardSupport
import CameraDrivers
import CameraProtocols
import HAL
import HALLinux
import JPEG

extension NodeHardware {
    /// Opens the planned camera's port, makes its driver and connects, then runs `body` with
    /// it, all with the board alive (the simulated board runs meanwhile). A plan without a
    /// model finds whatever camera answers (VC0706, OV528 or uCAM-III).
    public func withCamera<T: Sendable>(
        _ plan: CameraPlan, _ body: @Sendable @escaping (any Camera, CameraInfo) async throws -> T
    ) async throws -> T {
        try await run { [self] in
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
    public struct CameraPlan: Sendable {
        public var path: String
        /// The model named by `--camera` or the board; nil to find out.
        public var model: CameraModel?
        public var baud: Int
        /// Whether the baud was named rather than taken from the board.
        public var baudGiven: Bool
        public var maxBaud: Int
        public var verify: Bool
        public var preferFastest: Bool
        /// The camera's power line, held for the driver's power cycles.
        public var power: (any LineRequest)?
        /// Why the board's camera-power line could not be taken (the camera goes without
        /// power cycles), when it could not.
        public var powerUnavailable: String?
    }

    /// Checks a camera's settings and takes the camera's power line. A model of nil is the
    /// board's, or found out when `detect` is set or the port is not the board's; a baud of
    /// nil is the board's.
    ///
    /// The camera-power line is asked for only where the board has one and the camera is the
    /// board's (on its camera device); when it cannot be had
    /// (another program holds it) the plan fails with `requirePower`, else goes without it and
    /// says why in ``CameraPlan/powerUnavailable``.
    public func cameraPlan(
        port: String?, model: CameraModel?, baud: Int?, maxBaud: Int = 115200, verify: Bool = false, preferFastest: Bool = true,
        detect: Bool = false, requirePower: Bool = false
    ) throws -> CameraPlan {
        let path = port ?? board.camera.device
        let model = model ?? (detect || port != nil ? nil : board.camera.model)
        let baudGiven = baud != nil
        let baud = baud ?? board.camera.baud
        switch model {
        case .vc0706:
            guard VC0706.supportedBauds.contains(baud) else {
                throw NodeError("--baud \(baud) is not a VC0706 baud; use one of \(VC0706.supportedBauds.map(String.init).joined(separator: ", "))")
            }
        case .ov528, .ucam3, nil:
            guard OV528.Variant.ov528.baudDivisors(for: baud) != nil, SerialConfiguration.standardBaudRates.contains(baud) else {
                throw NodeError("--baud \(baud) is not a baud a serial camera can be set to; use one of \(OV528.searchBauds.map(String.init).joined(separator: ", "))")
            }
        }
        var power: (any LineRequest)?
        var powerUnavailable: String?
        do {
            // The board's power line powers the board's camera, not one on another port.
            power = path == board.camera.device ? try cameraPowerSwitch() : nil
        } catch {
            let message = "the camera-power line cannot be used: \(error)"
            if requirePower { throw NodeError(message + " (set require-hardware: false to record without power cycles)") }
            powerUnavailable = message
        }
        return CameraPlan(
            path: path, model: model, baud: baud, baudGiven: baudGiven, maxBaud: maxBaud, verify: verify, preferFastest: preferFastest,
            power: power, powerUnavailable: powerUnavailable)
    }

    /// Opens the planned camera's port and makes its driver (the board's model, or the one
    /// `--camera` names), not yet connected. Call it from within ``run(_:)`` (a simulated port
    /// lives as long as the board runs). The driver checks that each frame decodes through
    /// `decoder` if given (which then holds the frame decoded), else at 1/8 scale in greyscale.
    public func openCamera(_ plan: CameraPlan, decoder: FrameDecoder? = nil) async throws -> (any Camera, AnySerialPort) {
        let port = try await openPort(plan)
        return (makeCamera(plan, port: port, decoder: decoder), port)
    }

    private func openPort(_ plan: CameraPlan) async throws -> AnySerialPort {
        // A real device path goes to the system's ports whatever board is simulated.
        let provider: any SerialProvider = plan.path.hasPrefix(BoardCamera.simulatedDevicePrefix) ? serial : LinuxSerial()
        return AnySerialPort(try await provider.open(plan.path, configuration: SerialConfiguration(baudRate: plan.baud)))
    }

    private func makeCamera(_ plan: CameraPlan, port: AnySerialPort, decoder: FrameDecoder? = nil) -> any Camera {
        switch plan.model ?? board.camera.model {
        case .vc0706: VC0706Camera(port: port, options: vc0706Options(plan, decoder: decoder))
        case .ov528, .ucam3: OV528Camera(port: port, options: ov528Options(plan, decoder: decoder))
        }
    }


    private func vc0706Options(_ plan: CameraPlan, decoder: FrameDecoder? = nil) -> VC0706Camera<AnySerialPort>.Options {
        var options = VC0706Camera<AnySerialPort>.Options()
        options.frameValidator = Self.frameValidator(decoder ?? FrameDecoder())
        options.verification = plan.verify ? .verified : .standard
        let first = VC0706.supportedBauds.contains(plan.baud) ? [plan.baud] : []
        options.probeBauds = first + options.probeBauds.filter { $0 != plan.baud }
        options.preferredBauds = plan.preferFastest ? options.preferredBauds.filter { $0 <= plan.maxBaud } : []
        if let power = plan.power { options.power = { on in try power.setValues([on]) } }
        return options
    }

    private func ov528Options(_ plan: CameraPlan, decoder: FrameDecoder? = nil) -> OV528Camera<AnySerialPort>.Options {
        var options = OV528Camera<AnySerialPort>.Options()
        options.frameValidator = Self.frameValidator(decoder ?? FrameDecoder())
        options.verification = plan.verify ? .verified : .standard
        // The board's or the named baud first, where it is an OV528-family board's; else
        // the family's own default.
        let named = plan.baudGiven || (plan.model != nil && board.camera.model != .vc0706)
        options.probeBauds = (named ? [plan.baud] : []) + OV528.searchBauds.filter { !named || $0 != plan.baud }
        options.preferredBauds = plan.preferFastest ? OV528.searchBauds.filter { $0 <= plan.maxBaud }.sorted(by: >) : []
        if let power = plan.power { options.power = { on in try power.setValues([on]) } }
        return options
    }

    private static func frameValidator(_ decoder: FrameDecoder) -> @Sendable ([UInt8]) -> Bool {
        { (try? decoder.decode($0)) != nil }
    }

    /// The board's camera-power line, requested as an output (on), if the board has one and
    /// nobody else holds it.
    private func cameraPowerSwitch() throws -> (any LineRequest)? {
        guard board.lines[.cameraPower] != nil else { return nil }
        let line = try resolveLine(LogicalLine.cameraPower.rawValue)
        return try line.chip.requestLines([line.offset], settings: line.settings, consumer: "vigil")
    }
}
