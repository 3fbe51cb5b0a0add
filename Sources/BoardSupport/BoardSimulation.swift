/// The `simulation:` section of a `sim` board: how the simulated peripherals behave.
public struct BoardSimulation: Sendable, Hashable, Codable {
    /// Seeds the simulation's random numbers, so that a run can be repeated exactly.
    public var seed: UInt64
    /// How often the simulated PIR sensor reports motion.
    public var pirPeriod: Duration
    /// How long the simulated PIR sensor holds its output active for each motion; always
    /// shorter than ``pirPeriod`` in a loaded board.
    public var pirHold: Duration

    /// Defaults for the keys a board leaves out: seed 1, PIR period 45 s, PIR hold 4 s.
    public init(seed: UInt64 = 1, pirPeriod: Duration = .seconds(45), pirHold: Duration = .seconds(4)) {
        self.seed = seed
        self.pirPeriod = pirPeriod
        self.pirHold = pirHold
    }

    private enum CodingKeys: String, CodingKey {
        case seed, pirPeriod = "pir-period", pirHold = "pir-hold"
    }

    /// Decodes the form ``encode(to:)`` writes; missing keys take the defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = BoardSimulation()
        self.init(
            seed: try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed,
            pirPeriod: try container.decodeDurationIfPresent(forKey: .pirPeriod) ?? defaults.pirPeriod,
            pirHold: try container.decodeDurationIfPresent(forKey: .pirHold) ?? defaults.pirHold)
    }

    /// Encodes with the board file's key names and durations as strings such as `45s`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seed, forKey: .seed)
        try container.encodeDurationIfPresent(pirPeriod, forKey: .pirPeriod)
        try container.encodeDurationIfPresent(pirHold, forKey: .pirHold)
    }
}
