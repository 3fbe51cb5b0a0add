import BoardSupport
import HAL
import HALLinux
import HALSimulation

/// The board and the backend that reaches its hardware: what every command and every node
/// works on.
///
/// On the simulated backend the board's peripherals (an emulated camera, a PIR sensor, the
/// camera's power) run on a virtual clock following the wall clock (`speed` times faster) for
/// as long as the body given to ``run(_:)`` runs.
public struct NodeHardware: Sendable {
    public let board: BoardDescription
    public let backend: BoardBackend
    public let gpio: any GPIOProvider
    public let serial: any SerialProvider
    public let clock: any HALClock
    /// The simulated board, on the simulated backend.
    public let simulation: SimulatedBoard?
    /// How many times faster than the wall clock the simulated board runs; nil for as fast as
    /// the machine can (tests).
    public let speed: Double?

    /// - Parameters:
    ///   - board: a name from Boards/ or a path to a board file.
    ///   - backend: sim or linux; nil for the board's own.
    ///   - extraSimulatedCameras: on the simulated backend, cameras beyond the board's one
    ///     (`sim:camera1`...), for nodes of several cameras.
    public init(board name: String, backend: BoardBackend? = nil, speed: Double? = 1, extraSimulatedCameras: Int = 0) throws {
        let board = try BoardCatalog().load(nameOrPath: name)
        try self.init(board: board, backend: backend, speed: speed, extraSimulatedCameras: extraSimulatedCameras)
    }

    /// The hardware of `board` on `backend` (nil for the board's own).
    public init(board: BoardDescription, backend: BoardBackend? = nil, speed: Double? = 1, extraSimulatedCameras: Int = 0) throws {
        let backend = backend ?? board.backend
        self.board = board
        self.backend = backend
        self.speed = speed
        switch backend {
        case .sim:
            let simulated = SimulatedBoard(board: board, extraCameras: extraSimulatedCameras)
            simulation = simulated
            gpio = simulated.gpio
            serial = SimulatedSerialProvider(board: simulated)
            clock = simulated.clock
        case .linux:
            guard board.backend == .linux else {
                throw NodeError(
                    "board '\(board.name)' is simulated and has no real hardware; name a real board with --board (see 'vigil boards list')")
            }
            simulation = nil
            gpio = LinuxGPIO()
            serial = LinuxSerial()
            clock = SystemClock()
        }
    }

    /// Runs `body` with the board alive: on the simulated backend, on the board's virtual
    /// clock paced at ``speed`` times the wall clock, with the peripherals running until
    /// `body` returns.
    public func run<T: Sendable>(_ body: @Sendable @escaping () async throws -> T) async throws -> T {
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

    /// The board's line for `role`, requested as an input with edge events on both edges.
    public func watchedInput(_ role: LogicalLine, consumer: String = "vigil-record") throws -> any LineRequest {
        let line = try resolveLine(role.rawValue)
        var settings = line.settings
        settings.edgeDetection = .both
        return try line.chip.requestLines([line.offset], settings: settings, consumer: consumer)
    }
}
