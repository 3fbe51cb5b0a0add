import BoardSupport
import HAL
import HALSimulation

/// A whole simulated camera node built from a board description: GPIO chips with the board's
/// labels and line names, the camera's serial link, and the peripherals that drive its inputs.
final class SimulatedNode: Sendable {
    let board: BoardDescription
    let clock: VirtualClock
    let gpio: SimulatedGPIO
    let cameraLink: SimulatedSerialLink

    init(board: BoardDescription, clock: VirtualClock = VirtualClock()) {
        self.board = board
        self.clock = clock
        gpio = SimulatedGPIO(chips: board.chips.enumerated().map { number, chip in
            SimulatedGPIOChip(number: number, label: chip.label, lineCount: chip.lineCount, names: chip.names, clock: clock)
        })
        cameraLink = SimulatedSerialLink(clock: clock, configuration: board.camera.serialConfiguration, name: board.camera.device)
    }

    /// The simulated chip and offset a logical line is wired to, if the board has that line.
    func wire(_ line: LogicalLine) -> (chip: SimulatedGPIOChip, offset: Int, assignment: LineAssignment)? {
        guard let assignment = board.lines[line], let chip = gpio.simulatedChip(label: assignment.chipLabel) else { return nil }
        return (chip, assignment.offset, assignment)
    }

    /// Runs the node's peripherals until cancelled: the PIR sensor's scripted detections and
    /// the tamper switch held closed (the enclosure shut).
    func runPeripherals() async {
        let simulation = board.simulation ?? BoardSimulation()
        if let tamper = wire(.tamper) {
            // A closed tamper switch reads inactive.
            tamper.chip.drive(tamper.offset, to: tamper.assignment.activeLow)
        }
        guard let pir = wire(.pir) else { return }
        let script = PulseScript(
            period: simulation.pirPeriod, hold: simulation.pirHold, seed: simulation.seed,
            activeLevel: !pir.assignment.activeLow)
        await script.run(on: pir.chip, offset: pir.offset, clock: clock)
    }
}

/// The serial ports of a simulated node: the camera's link.
struct SimulatedSerialProvider: SerialProvider {
    let node: SimulatedNode

    func ports() throws(HALError) -> [SerialPortDescription] {
        [SerialPortDescription(
            path: node.board.camera.device, transport: .simulated,
            description: "simulated UART to the emulated \(node.board.camera.model) camera")]
    }

    func open(_ path: String, configuration: SerialConfiguration) async throws(HALError) -> any SerialPort {
        guard path == node.board.camera.device else {
            throw HALError(.notFound, operation: "open", target: path, message: "the simulated board has only \(node.board.camera.device)")
        }
        try configuration.validate(target: path)
        try await node.cameraLink.host.reconfigure(configuration)
        return node.cameraLink.host
    }
}
