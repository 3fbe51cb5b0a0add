/// Which hardware backend drives a board: the real Linux devices or the simulator.
public enum BoardBackend: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// GPIO character devices and serial ports of a Linux system.
    case linux
    /// The simulated board of `HALSimulation`; only such boards may use `sim:` devices and a
    /// `simulation:` section.
    case sim

    public var description: String { rawValue }
}
