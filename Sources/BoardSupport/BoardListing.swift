/// One board file found by ``BoardCatalog/availableBoards()``.
public struct BoardListing: Sendable, Hashable {
    /// The board's name: its file name without `.yaml`.
    public var name: String
    /// The path of the board file.
    public var file: String
    /// The board, or why the file does not load: exactly one is there.
    public var result: Result<BoardDescription, BoardError>

    public init(name: String, file: String, result: Result<BoardDescription, BoardError>) {
        self.name = name
        self.file = file
        self.result = result
    }

    /// The loaded board; nil if the file is invalid.
    public var board: BoardDescription? { try? result.get() }

    /// Why the file does not load; nil if it loads.
    public var error: BoardError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    /// The board's one-line description; empty if the file does not give one or is invalid.
    public var description: String { board?.description ?? "" }
}
