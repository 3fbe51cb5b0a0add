import BoardSupport
import Emulators
import HAL
import HALSimulation
import Node
import Scenes

/// `VIGIL_HIL=sim`: the simulated backend on virtual time, built by the `Node` module as
/// `vigil` builds it. The board's chips are simulated GPIO chips, driven from outside with
/// ``SimulatedGPIOChip/drive(_:to:)`` and read with ``SimulatedGPIOChip/level(of:)``; the camera
/// is the VC0706 emulator on a simulated serial link paced at the baud.
struct SimulatedTarget: HILTarget {
    let board: BoardDescription
    let simulatedBoard: SimulatedBoard

    init(board: BoardDescription) {
        self.board = board
        simulatedBoard = SimulatedBoard(board: board)
    }

    var name: String { "sim" }
    var simulated: SimulatedGPIO { simulatedBoard.gpio }
    var gpio: any GPIOProvider { simulatedBoard.gpio }
    var clock: any HALClock { simulatedBoard.clock }
    private var virtualClock: VirtualClock { simulatedBoard.clock }

    var drivableInputs: Availability<[LogicalLine]> {
        .available(LogicalLine.allCases.filter { $0.direction == .input && board.lines[$0] != nil })
    }

    var observableOutputs: Availability<[LogicalLine]> {
        .available(LogicalLine.allCases.filter { $0.direction == .output && board.lines[$0] != nil })
    }

    var camera: Availability<BoardCamera> {
        board.camera.model == .vc0706 ? .available(board.camera) : .unavailable("the board's camera is not a VC0706")
    }

    func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await Simulation.run(clock: virtualClock, body)
    }

    func drive(_ role: LogicalLine, high: Bool) async throws {
        let (chip, offset) = try simulatedLine(role)
        chip.drive(offset, to: high)
    }

    func level(of role: LogicalLine) async throws -> Bool {
        let (chip, offset) = try simulatedLine(role)
        return chip.level(of: offset)
    }

    func withCameraPort(
        _ configuration: SerialConfiguration, _ body: @escaping @Sendable (any SerialPort) async throws -> Void
    ) async throws {
        let link = SimulatedSerialLink(clock: virtualClock, configuration: configuration, name: board.camera.device)
        // On for a while, as the pty emulator is.
        let emulator = SimulatedBoard.emulator(
            .vc0706, port: link.device, scene: try SceneCatalog.scene(named: SceneCatalog.defaultName, seed: 1),
            baud: board.camera.baud, seed: 1)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                await emulator.run()
                return false
            }
            group.addTask {
                try await body(link.host)
                return true
            }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if finished { break }
            }
        }
        await link.host.close()
    }

    private func simulatedLine(_ role: LogicalLine) throws -> (SimulatedGPIOChip, Int) {
        guard let assignment = board.lines[role],
              let chip = simulated.simulatedChip(label: assignment.chipLabel)
        else { throw HILUnavailable(reason: "board \(board.name) has no \(role) line") }
        return (chip, assignment.offset)
    }
}
