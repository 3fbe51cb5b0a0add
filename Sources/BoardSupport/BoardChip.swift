/// A GPIO chip a board's lines live on, identified at run time by its kernel label.
public struct BoardChip: Sendable, Hashable, Codable {
    /// How a chip's lines may also be called, besides their kernel names.
    public enum Header: String, Sendable, Hashable, Codable, CaseIterable {
        /// Raspberry Pi BCM numbering: `GPIO<n>` names offset `n`, whatever the kernel calls it
        /// (`GPIO14` is the line the Pi 4 kernel names `TXD1`).
        case bcm
    }

    /// The chip's label as the kernel reports it, such as `pinctrl-bcm2711`. Never contains `:`.
    public var label: String
    /// The number of lines the chip has; offsets run from 0 to `lineCount - 1`.
    public var lineCount: Int
    /// The kernel's line names by offset; may be shorter than ``lineCount``, and an empty
    /// string stands for an unnamed line.
    public var names: [String]
    /// An extra naming scheme for the chip's lines, if any.
    public var header: Header?

    /// The most lines a board file may give one chip: a real gpiochip has at most a few
    /// hundred, and a simulated chip allocates state for every line it has.
    public static let maximumLineCount = 1024

    public init(label: String, lineCount: Int, names: [String] = [], header: Header? = nil) {
        self.label = label
        self.lineCount = lineCount
        self.names = names
        self.header = header
    }

    /// The kernel name of the line at `offset`, or nil if the board file does not name it.
    public func name(at offset: Int) -> String? {
        names.indices.contains(offset) && !names[offset].isEmpty ? names[offset] : nil
    }

    /// The offsets of the lines called `name`: by kernel name, else by the ``header`` alias.
    /// Empty if the chip has no such line; more than one if the kernel name is ambiguous.
    public func offsets(ofLineNamed name: String) -> [Int] {
        let named = names.indices.filter { !name.isEmpty && names[$0] == name }
        if !named.isEmpty { return named }
        if header == .bcm, name.hasPrefix("GPIO"), let number = Self.decimal(name.dropFirst(4)),
            number < lineCount
        {
            return [number]
        }
        return []
    }

    /// A short summary of the names a line on this chip may be given, for error messages.
    var lineNamesSummary: String {
        var parts: [String] = []
        if header == .bcm { parts.append("GPIO0..GPIO\(lineCount - 1)") }
        let named = names.filter { !$0.isEmpty && !(header == .bcm && Self.isBCMName($0)) }
        if !named.isEmpty { parts.append(named.joined(separator: ", ")) }
        parts.append("or an offset 0..\(lineCount - 1)")
        return parts.joined(separator: ", ")
    }

    private static func isBCMName(_ name: String) -> Bool {
        name.hasPrefix("GPIO") && decimal(name.dropFirst(4)) != nil
    }

    /// A plain decimal number (digits only, no sign), or nil.
    static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
