/// Why a board could not be loaded: one or more ``BoardDiagnostic``s, in file order.
public struct BoardError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Never empty.
    public var diagnostics: [BoardDiagnostic]

    /// An error from `diagnostics`, which must not be empty.
    public init(_ diagnostics: [BoardDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// An error with a single diagnostic.
    public init(file: String?, line: Int? = nil, column: Int? = nil, message: String) {
        self.init([BoardDiagnostic(file: file, line: line, column: column, message: message)])
    }

    /// One diagnostic per line, each `file:line:column: message`.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
