import HAL

/// The physical line a board gives one ``LogicalLine``, and how to configure it.
public struct LineAssignment: Sendable, Hashable, Codable {
    /// The role the line plays; it decides the line's direction.
    public var role: LogicalLine
    /// The label of the chip the line is on (one of the board's ``BoardDescription/chips``).
    public var chipLabel: String
    /// The line's offset on that chip.
    public var offset: Int
    /// The kernel's name for the line, when the board file names it; checked against the real
    /// chip at run time.
    public var lineName: String?
    public var activeLow: Bool
    public var bias: LineBias
    /// How an output drives its line (always ``LineDrive/pushPull`` for inputs).
    public var drive: LineDrive
    /// The longest debounce period a board file may give: a switch settles in milliseconds,
    /// and a longer period would swallow real events.
    public static let longestDebounce = Duration.seconds(60)

    /// The debounce period of an input, if any (always nil for outputs).
    public var debounce: Duration?

    public init(
        role: LogicalLine, chipLabel: String, offset: Int, lineName: String? = nil,
        activeLow: Bool = false, bias: LineBias = .asIs, drive: LineDrive = .pushPull,
        debounce: Duration? = nil
    ) {
        self.role = role
        self.chipLabel = chipLabel
        self.offset = offset
        self.lineName = lineName
        self.activeLow = activeLow
        self.bias = bias
        self.drive = drive
        self.debounce = debounce
    }

    /// The settings to request the line with for its role: inputs (PIR, tamper) watch both
    /// edges with the assignment's bias and debounce; outputs start off, except camera power,
    /// which starts on (logical true).
    public var settings: LineSettings {
        switch role.direction {
        case .input:
            return .input(activeLow: activeLow, bias: bias, edges: .both, debounce: debounce)
        case .output:
            var settings = LineSettings.output(
                initialValue: role == .cameraPower, activeLow: activeLow, drive: drive)
            settings.bias = bias
            return settings
        }
    }

    /// Where the line is, for people: `pinctrl-bcm2711:17 (GPIO17)`.
    public var location: String {
        "\(chipLabel):\(offset)" + (lineName.map { " (\($0))" } ?? "")
    }

    private enum CodingKeys: String, CodingKey {
        case role, chipLabel = "chip", offset, lineName = "name", activeLow = "active-low", bias, drive,
            debounce
    }

    /// Decodes the form ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            role: try container.decode(LogicalLine.self, forKey: .role),
            chipLabel: try container.decode(String.self, forKey: .chipLabel),
            offset: try container.decode(Int.self, forKey: .offset),
            lineName: try container.decodeIfPresent(String.self, forKey: .lineName),
            activeLow: try container.decode(Bool.self, forKey: .activeLow),
            bias: try container.decode(LineBias.self, forKey: .bias),
            drive: try container.decode(LineDrive.self, forKey: .drive),
            debounce: try container.decodeDurationIfPresent(forKey: .debounce))
    }

    /// Encodes with the board file's key names (`chip`, `name`, `active-low`, ...) and the
    /// debounce as a duration string such as `20ms`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(chipLabel, forKey: .chipLabel)
        try container.encode(offset, forKey: .offset)
        try container.encodeIfPresent(lineName, forKey: .lineName)
        try container.encode(activeLow, forKey: .activeLow)
        try container.encode(bias, forKey: .bias)
        try container.encode(drive, forKey: .drive)
        try container.encodeDurationIfPresent(debounce, forKey: .debounce)
    }
}
