import Foundation

/// Reads and validates board files. For finding a board by name, see ``BoardCatalog``.
public enum BoardLoader {
    /// Parses and validates the text of a board file.
    ///
    /// - Parameters:
    ///   - yaml: the file's contents.
    ///   - file: how diagnostics name the file; when it ends in `.yaml`, the board's `name`
    ///     must equal the file name without that extension.
    /// - Returns: a board satisfying every rule of the board file format.
    /// - Throws: a ``BoardError`` with a diagnostic for every problem found (a YAML syntax
    ///   error stops at the first), each pointing at the offending line and column.
    public static func parse(yaml: String, file: String) throws(BoardError) -> BoardDescription {
        try BoardParser.parse(yaml: yaml, file: file)
    }

    /// Reads and validates the board file at `path`; diagnostics name the file as `path`.
    /// Throws a ``BoardError`` if the file cannot be read or is invalid.
    public static func load(path: String) throws(BoardError) -> BoardDescription {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BoardError(file: path, message: "no such board file")
        }
        guard !isDirectory.boolValue else {
            throw BoardError(file: path, message: "is a directory, not a board file")
        }
        let text: String
        do {
            text = try YAMLFile.read(atPath: path)
        } catch {
            throw BoardError(file: path, message: "cannot read the board file: \(error.message)")
        }
        return try parse(yaml: text, file: path)
    }
}
