/// Whether a line is read or driven.
public enum LineDirection: String, Sendable, Hashable, Codable, CaseIterable { case input, output }

/// The internal resistor applied to a line.
public enum LineBias: String, Sendable, Hashable, Codable, CaseIterable {
    /// Leave whatever the line had.
    case asIs = "as-is"
    case disabled
    case pullUp = "pull-up"
    case pullDown = "pull-down"
}

/// How an output drives its line.
public enum LineDrive: String, Sendable, Hashable, Codable, CaseIterable {
    case pushPull = "push-pull"
    /// Drives low only; high is left to a pull-up.
    case openDrain = "open-drain"
    /// Drives high only; low is left to a pull-down.
    case openSource = "open-source"
}

/// Which transitions of an input produce edge events.
public enum EdgeDetection: String, Sendable, Hashable, Codable, CaseIterable {
    case none, rising, falling, both

    /// Whether a transition to `value` (logical) is reported.
    public func reports(transitionTo value: Bool) -> Bool {
        switch self {
        case .none: false
        case .rising: value
        case .falling: !value
        case .both: true
        }
    }
}

/// How a requested line is configured. Values are logical: with ``activeLow`` a logical 1 is
/// a low voltage on the pin.
public struct LineSettings: Sendable, Hashable, Codable {
    public var direction: LineDirection
    public var activeLow: Bool
    public var bias: LineBias
    public var drive: LineDrive
    public var edgeDetection: EdgeDetection
    /// Edges closer together than this are treated as contact bounce: an edge is reported
    /// only once the line has held its new value for the whole period. nil: no debounce.
    public var debounce: Duration?
    /// The logical value an output takes when requested.
    public var initialValue: Bool

    public init(
        direction: LineDirection = .input, activeLow: Bool = false, bias: LineBias = .asIs,
        drive: LineDrive = .pushPull, edgeDetection: EdgeDetection = .none,
        debounce: Duration? = nil, initialValue: Bool = false
    ) {
        self.direction = direction
        self.activeLow = activeLow
        self.bias = bias
        self.drive = drive
        self.edgeDetection = edgeDetection
        self.debounce = debounce
        self.initialValue = initialValue
    }

    /// An input, optionally watched for edges.
    public static func input(
        activeLow: Bool = false, bias: LineBias = .asIs, edges: EdgeDetection = .none,
        debounce: Duration? = nil
    ) -> LineSettings {
        LineSettings(direction: .input, activeLow: activeLow, bias: bias, edgeDetection: edges, debounce: debounce)
    }

    /// An output driven to `initialValue` when requested.
    public static func output(
        initialValue: Bool = false, activeLow: Bool = false, drive: LineDrive = .pushPull
    ) -> LineSettings {
        LineSettings(direction: .output, activeLow: activeLow, drive: drive, initialValue: initialValue)
    }
}

/// One edge seen on an input line.
public struct EdgeEvent: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable { case rising, falling }

    /// The logical transition (an active-low line going to 0 V reports `rising`).
    public var kind: Kind
    /// The line's offset on its chip.
    public var offset: Int
    /// When the edge happened, on the backend's clock (the kernel's timestamp on Linux).
    public var timestamp: MonotonicInstant

    public init(kind: Kind, offset: Int, timestamp: MonotonicInstant) {
        self.kind = kind
        self.offset = offset
        self.timestamp = timestamp
    }

    /// The logical value the line has after this edge.
    public var value: Bool { kind == .rising }

    public var description: String { "\(timestamp) \(kind) offset \(offset)" }
}

/// What a chip reports about one of its lines.
public struct LineInfo: Sendable, Hashable, Codable {
    public var offset: Int
    /// The line's name, such as `GPIO17`, if the chip names it.
    public var name: String?
    /// Who holds the line, if anyone requested it.
    public var consumer: String?
    public var isUsed: Bool
    public var direction: LineDirection
    public var activeLow: Bool
    public var bias: LineBias
    public var drive: LineDrive

    public init(
        offset: Int, name: String? = nil, consumer: String? = nil, isUsed: Bool = false,
        direction: LineDirection = .input, activeLow: Bool = false, bias: LineBias = .asIs,
        drive: LineDrive = .pushPull
    ) {
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.isUsed = isUsed
        self.direction = direction
        self.activeLow = activeLow
        self.bias = bias
        self.drive = drive
    }
}

/// What a GPIO chip reports about itself.
public struct ChipInfo: Sendable, Hashable, Codable {
    /// The kernel's name, such as `gpiochip0`.
    public var name: String
    /// The driver's label, such as `pinctrl-bcm2711`: stable across kernels, unlike numbers.
    public var label: String
    /// The device path, such as `/dev/gpiochip0`.
    public var path: String
    public var lineCount: Int

    public init(name: String, label: String, path: String, lineCount: Int) {
        self.name = name
        self.label = label
        self.path = path
        self.lineCount = lineCount
    }
}

/// How to find a chip: by label, by device path, or by number.
public enum ChipSelector: Sendable, Hashable, CustomStringConvertible {
    case label(String)
    case path(String)
    case number(Int)

    /// `3` or `gpiochip3` is a number, anything with a `/` a path, anything else a label.
    public init(_ text: String) {
        if let number = Int(text) {
            self = .number(number)
        } else if text.hasPrefix("gpiochip"), let number = Int(text.dropFirst(8)) {
            self = .number(number)
        } else if text.contains("/") {
            self = .path(text)
        } else {
            self = .label(text)
        }
    }

    public var description: String {
        switch self {
        case .label(let label): label
        case .path(let path): path
        case .number(let number): "gpiochip\(number)"
        }
    }
}
