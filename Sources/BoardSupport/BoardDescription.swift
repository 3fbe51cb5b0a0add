/// Everything Vigil knows about one kind of board: its GPIO chips, its camera, which physical
/// line each peripheral is on, and (for simulated boards) how the simulation behaves.
///
/// Loaded and validated from a board file by ``BoardLoader`` or ``BoardCatalog``; a value
/// obtained that way is internally consistent (every assignment names one of ``chips`` and an
/// offset in range, no two assignments share a line, the baud rate is a standard one).
/// Encodes to JSON with the board file's key names and durations as strings.
public struct BoardDescription: Sendable, Hashable, Codable {
    /// The board's name, which is also its file name without `.yaml`.
    public var name: String
    /// One line for people, such as `Raspberry Pi 4 Model B (BCM2711)`; may be empty.
    public var description: String
    public var backend: BoardBackend
    /// The GPIO chips the board's lines live on, in the order the file lists them.
    public var chips: [BoardChip]
    public var camera: BoardCamera
    /// The line of each peripheral the board has; a peripheral the board lacks (`none` in the
    /// file) has no entry.
    public var lines: [LogicalLine: LineAssignment]
    /// How the simulated peripherals behave: always present on `sim` boards (with defaults for
    /// what the file leaves out), always nil on `linux` boards.
    public var simulation: BoardSimulation?

    public init(
        name: String, description: String = "", backend: BoardBackend, chips: [BoardChip],
        camera: BoardCamera, lines: [LogicalLine: LineAssignment], simulation: BoardSimulation? = nil
    ) {
        self.name = name
        self.description = description
        self.backend = backend
        self.chips = chips
        self.camera = camera
        self.lines = lines
        self.simulation = simulation
    }

    /// The chip labelled `label`, if the board has one.
    public func chip(labelled label: String) -> BoardChip? {
        chips.first { $0.label == label }
    }
}
