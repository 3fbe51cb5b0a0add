import BoardSupport
import CameraProtocols
import Emulators
import HAL
import HALSimulation
import Scenes
import Synchronization

/// A whole simulated board built from a board description: GPIO chips with the board's
/// labels and line names, the board's camera model emulated (VC0706, OV528 or uCAM-III) on the
/// camera's serial link, a PIR sensor and
/// the camera watching the same scene, the camera's power following its power line, and the
/// tamper switch closed. Extra cameras of the same model (for nodes of several cameras) watch
/// the same scene on links of their own, `sim:camera1`, `sim:camera2` and so on.
public final class SimulatedBoard: Sendable {
    public let board: BoardDescription
    public let clock: VirtualClock
    public let gpio: SimulatedGPIO
    public let cameraLink: SimulatedSerialLink
    /// What the cameras and the PIR sensor watch (``replaceScene(_:)`` changes it).
    public var scene: any Scene { currentScene.withLock { $0 } }
    private let currentScene: Mutex<any Scene>
    /// Tasks run beside the peripherals (see ``attach(_:)``).
    private let attached = Mutex<[@Sendable () async -> Void]>([])
    public let camera: any EmulatedCamera
    /// The extra cameras, each on its link (always on: the power line is the first camera's).
    public let extraCameras: [(link: SimulatedSerialLink, camera: any EmulatedCamera)]

    public init(board: BoardDescription, clock: VirtualClock = VirtualClock(), extraCameras: Int = 0) {
        self.board = board
        self.clock = clock
        gpio = SimulatedGPIO(chips: board.chips.enumerated().map { number, chip in
            SimulatedGPIOChip(number: number, label: chip.label, lineCount: chip.lineCount, names: chip.names, clock: clock)
        })
        cameraLink = SimulatedSerialLink(clock: clock, configuration: board.camera.serialConfiguration, name: board.camera.device)
        let simulation = board.simulation ?? BoardSimulation()
        // Someone passes now and then: on average every pir-period.
        let scene = SyntheticScene(
            name: "street", seed: simulation.seed,
            script: .random(seed: simulation.seed, duration: .seconds(24 * 3600), meanGap: simulation.pirPeriod))
        currentScene = Mutex(scene)
        camera = Self.emulator(board.camera.model, port: cameraLink.device, scene: scene, baud: board.camera.baud, seed: simulation.seed)
        self.extraCameras = (0..<max(0, extraCameras)).map { index in
            let link = SimulatedSerialLink(
                clock: clock, configuration: board.camera.serialConfiguration,
                name: BoardCamera.simulatedDevicePrefix + "camera\(index + 1)")
            let camera = Self.emulator(
                board.camera.model, port: link.device, scene: scene, baud: board.camera.baud, seed: simulation.seed &+ UInt64(index + 1))
            return (link, camera)
        }
    }

    /// The link of the simulated serial device at `path`, if the board has it.
    func link(at path: String) -> SimulatedSerialLink? {
        path == board.camera.device ? cameraLink : extraCameras.first { $0.link.host.name == path }?.link
    }

    /// The firmware of `model` on `port`, on for a while (no boot on start), its UART at
    /// `baud`; a VC0706 set to `size`, an OV528-family camera's SYNC tries drawn from `seed`.
    public static func emulator(
        _ model: CameraModel, port: any SerialPort, scene: any Scene, baud: Int, seed: UInt64, size: VC0706.ImageSize = .vga,
        minimalClone: Bool = false
    ) -> any EmulatedCamera {
        switch model {
        case .vc0706:
            var configuration = VC0706Emulator.Configuration()
            configuration.initialBaud = baud
            configuration.initialSize = size
            configuration.minimalClone = minimalClone
            configuration.bootsOnStart = false
            return VC0706Emulator(port: port, scene: scene, configuration: configuration)
        case .ov528, .ucam3:
            var configuration = OV528Emulator.Configuration(variant: model == .ov528 ? .ov528 : .ucam3)
            configuration.initialBaud = baud
            configuration.bootsOnStart = false
            configuration.seed = seed
            return OV528Emulator(port: port, scene: scene, configuration: configuration)
        }
    }

    /// The simulated chip and offset a logical line is wired to, if the board has that line.
    public func wire(_ line: LogicalLine) -> (chip: SimulatedGPIOChip, offset: Int, assignment: LineAssignment)? {
        guard let assignment = board.lines[line], let chip = gpio.simulatedChip(label: assignment.chipLabel) else { return nil }
        return (chip, assignment.offset, assignment)
    }

    /// Makes every camera and the PIR sensor watch `scene` from now on.
    public func replaceScene(_ scene: any Scene) {
        currentScene.withLock { $0 = scene }
        camera.replaceScene(scene)
        for (_, extra) in extraCameras { extra.replaceScene(scene) }
    }

    /// Runs `task` beside the peripherals, on the board's virtual time, from the next
    /// ``runPeripherals()`` until it is cancelled (a fault injector, a soak's schedule).
    public func attach(_ task: @escaping @Sendable () async -> Void) {
        attached.withLock { $0.append(task) }
    }

    /// Runs the node's devices until cancelled.
    public func runPeripherals() async {
        let simulation = board.simulation ?? BoardSimulation()
        if let tamper = wire(.tamper) {
            // A closed tamper switch reads inactive.
            tamper.chip.drive(tamper.offset, to: tamper.assignment.activeLow)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [camera] in await camera.run() }
            for (_, extra) in extraCameras {
                group.addTask { await extra.run() }
            }
            if let pir = wire(.pir) {
                let sensor = PIRSensor(holdTime: simulation.pirHold, activeLevel: !pir.assignment.activeLow)
                group.addTask { [clock] in
                    await sensor.run(watching: { self.scene }, chip: pir.chip, offset: pir.offset, clock: clock)
                }
            }
            if let power = wire(.cameraPower) {
                group.addTask { [camera] in await Self.followPower(power, camera: camera) }
            }
            for task in attached.withLock({ $0 }) {
                group.addTask { await task() }
            }
        }
    }

    /// Keeps the camera powered while its power line is on, or not driven at all (the
    /// board's pull resistor keeps the camera on until the controller takes the line).
    private static func followPower(_ power: (chip: SimulatedGPIOChip, offset: Int, assignment: LineAssignment), camera: any EmulatedCamera) async {
        while !Task.isCancelled {
            let generation = power.chip.changeGeneration
            let driven = (try? power.chip.lineInfo(power.offset).isUsed) ?? false
            let on = !driven || power.chip.level(of: power.offset) != power.assignment.activeLow
            if on != camera.isPowered { camera.setPower(on) }
            do { try await power.chip.waitForChange(after: generation, deadline: .distantFuture) } catch { return }
        }
    }
}

/// The serial ports of a simulated node: the camera's link.
struct SimulatedSerialProvider: SerialProvider {
    let board: SimulatedBoard

    func ports() throws(HALError) -> [SerialPortDescription] {
        ([board.cameraLink] + board.extraCameras.map(\.link)).map { link in
            SerialPortDescription(
                path: link.host.name, transport: .simulated, description: "simulated UART to the emulated \(board.board.camera.model) camera")
        }
    }

    func open(_ path: String, configuration: SerialConfiguration) async throws(HALError) -> any SerialPort {
        guard let link = board.link(at: path) else {
            throw HALError(.notFound, operation: "open", target: path, message: "the simulated board has only \(board.board.camera.device)")
        }
        try configuration.validate(target: path)
        link.host.reopen()
        try await link.host.reconfigure(configuration)
        return link.host
    }
}
