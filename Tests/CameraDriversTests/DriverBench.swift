import CameraDrivers
import CameraProtocols
import Emulators
import HAL
import HALSimulation
import Scenes

/// A scene that always shows the same fake JPEG of a size-dependent length, so that what a
/// driver receives can be compared with what the camera served.
struct StillScene: Scene {
    var name = "still"
    var frameRate = 15.0
    var motion: [ClosedRange<Double>] = []
    /// Bytes per pixel of the fake JPEG: 0.16 gives 49,152 bytes at 640x480, a typical VC0706 frame.
    var density = 0.16

    static func jpeg(width: Int, height: Int, density: Double = 0.16) -> [UInt8] {
        let length = Int(Double(width * height) * density)
        return [0xFF, 0xD8] + (0..<length).map { UInt8(truncatingIfNeeded: ($0 &* 131) ^ ($0 >> 7)) } + [0xFF, 0xD9]
    }

    func frame(at time: MonotonicInstant, width: Int, height: Int, quality: Int) throws -> SceneFrame {
        SceneFrame(index: frameIndex(at: time), time: time, jpeg: Self.jpeg(width: width, height: height, density: density))
    }

    func objects(at time: MonotonicInstant) -> [SceneObject] {
        motion.contains { $0.contains(time.seconds) } ? [SceneObject(id: 1, kind: "person", x: 0.4, y: 0.4, width: 0.1, height: 0.3)] : []
    }

    func isDark(at time: MonotonicInstant) -> Bool { false }
}

/// A driver and an emulated VC0706 on a simulated link.
struct DriverBench {
    let clock = VirtualClock()
    let link: SimulatedSerialLink
    let emulator: VC0706Emulator
    let camera: VC0706Camera<SimulatedSerialPort>

    init(
        scene: any Scene = StillScene(), emulatorBaud: Int = 38400, faults: FaultPlan = .none,
        options: VC0706Camera<SimulatedSerialPort>.Options = .init(), emulator configuration: VC0706Emulator.Configuration = .init(),
        powerSwitch: Bool = false
    ) {
        link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: emulatorBaud), faults: faults)
        var configuration = configuration
        configuration.initialBaud = emulatorBaud
        emulator = VC0706Emulator(port: link.device, scene: scene, configuration: configuration)
        var options = options
        if powerSwitch { options.power = { [emulator] on in emulator.setPower(on) } }
        camera = VC0706Camera(port: link.host, options: options)
    }

    /// Runs `body` on virtual time with the emulator's firmware running.
    func run<T: Sendable>(_ body: @escaping @Sendable (DriverBench) async throws -> T) async throws -> T {
        try await withFirmware(emulator, clock: clock) { try await body(self) }
    }
}

/// Runs `body` on virtual time with `emulator`'s firmware running beside it.
func withFirmware<T: Sendable>(_ emulator: any EmulatedCamera, clock: VirtualClock, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Simulation.run(clock: clock) {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await emulator.run(); return nil }
            group.addTask { try await body() }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}
