import HAL

/// The serial camera of a board: which module, on which serial device, at what speed.
public struct BoardCamera: Sendable, Hashable, Codable {
    public var model: CameraModel
    /// The serial device path, such as `/dev/serial0`; on `sim` boards it may instead name a
    /// simulated device, `sim:NAME`.
    public var device: String
    /// The baud rate the camera talks at; always one of
    /// ``SerialConfiguration/standardBaudRates`` in a loaded board.
    public var baud: Int

    public init(model: CameraModel, device: String, baud: Int) {
        self.model = model
        self.device = device
        self.baud = baud
    }

    /// Whether ``device`` names a simulated device (`sim:...`) rather than a path.
    public var isSimulatedDevice: Bool { device.hasPrefix(Self.simulatedDevicePrefix) }

    /// The port configuration to open the camera with: 8N1 without flow control at ``baud``.
    public var serialConfiguration: SerialConfiguration { SerialConfiguration(baudRate: baud) }

    /// The prefix of simulated device names.
    public static let simulatedDevicePrefix = "sim:"
}
