import BoardSupport
import HAL
import HALLinux
import HALSimulation
import Logging

/// What a command works on: the board, and the backend that reaches its hardware.
///
/// On the simulated backend the node's peripherals run, on a virtual clock following the wall
/// clock (`--speed` times faster), for as long as the command's body runs.
struct NodeContext: Sendable {
    let board: BoardDescription
    let backend: BoardBackend
    let gpio: any GPIOProvider
    let serial: any SerialProvider
    let clock: any HALClock
    let simulation: SimulatedNode?
    let speed: Double

    /// - Parameter defaultBoard: the board when `--board` is not given (else `sim`).
    init(options: GlobalOptions, defaultBoard: String? = nil) throws {
        let board = try BoardCatalog().load(nameOrPath: options.board ?? defaultBoard ?? "sim")
        let backend = options.backend ?? board.backend
        self.board = board
        self.backend = backend
        speed = options.speed
        switch backend {
        case .sim:
            let node = SimulatedNode(board: board)
            simulation = node
            gpio = node.gpio
            serial = SimulatedSerialProvider(node: node)
            clock = node.clock
        case .linux:
            guard board.backend == .linux else {
                throw CLIError("board '\(board.name)' is simulated and has no real hardware; name a real board with --board (see 'vigil boards list')")
            }
            simulation = nil
            gpio = LinuxGPIO()
            serial = LinuxSerial()
            clock = SystemClock()
        }
    }

    /// Runs `body` with the board alive: on the simulated backend, on the node's virtual
    /// clock paced at `--speed` times the wall clock, with the peripherals running until
    /// `body` returns.
    func run<T: Sendable>(_ body: @Sendable @escaping () async throws -> T) async throws -> T {
        guard let simulation else { return try await body() }
        return try await Simulation.run(clock: simulation.clock, speed: speed) {
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    await simulation.runPeripherals()
                    return nil
                }
                group.addTask { try await body() }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw CancellationError()
            }
        }
    }
}

/// A command-line failure with a message for the user (no stack trace, exit status 1).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
