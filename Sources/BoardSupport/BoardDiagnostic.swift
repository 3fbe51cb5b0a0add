/// One problem found while loading a board, pointing at the place in the file that causes it.
public struct BoardDiagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file as the caller named it; nil when the problem is not in a file (an unknown
    /// board name, say).
    public var file: String?
    /// 1-based line, when the problem has a position.
    public var line: Int?
    /// 1-based column, counted in Unicode scalars, when the problem has a position.
    public var column: Int?
    /// What is wrong, specific enough to fix it without reading the code.
    public var message: String

    public init(file: String?, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, leaving out the parts that are not known.
    public var description: String {
        let location = [file, line.map(String.init), line == nil ? nil : column.map(String.init)]
            .compactMap { $0 }.joined(separator: ":")
        return location.isEmpty ? message : "\(location): \(message)"
    }
}
