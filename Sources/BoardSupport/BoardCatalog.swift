import Foundation

/// Finds board files by name in an ordered list of directories.
///
/// A board called `NAME` is the file `NAME.yaml` in the first search directory that has one,
/// so earlier directories override later ones.
public struct BoardCatalog: Sendable {
    /// The directories searched, in order. Directories that do not exist are skipped.
    public var searchDirectories: [String]

    /// A catalog searching exactly `searchDirectories`, in order.
    public init(searchDirectories: [String]) {
        self.searchDirectories = searchDirectories
    }

    /// A catalog searching the standard places: see ``standardSearchDirectories(environment:executablePath:)``.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(
            searchDirectories: Self.standardSearchDirectories(
                environment: environment, executablePath: Self.currentExecutablePath()))
    }

    /// The standard board directories, in search order:
    /// 1. each directory in `$VIGIL_BOARDS` (colon-separated; empty entries are ignored);
    /// 2. the first `Boards` directory found in the executable's directory or one of its
    ///    ancestors (so `.build/debug/vigil` finds the source tree's `Boards/`);
    /// 3. `/usr/local/share/vigil/boards`;
    /// 4. `/usr/share/vigil/boards`.
    public static func standardSearchDirectories(environment: [String: String], executablePath: String?) -> [String] {
        var directories = (environment["VIGIL_BOARDS"] ?? "").split(separator: ":").map(String.init)
        if let executablePath, let boards = boardsDirectory(above: executablePath) {
            directories.append(boards)
        }
        directories += ["/usr/local/share/vigil/boards", "/usr/share/vigil/boards"]
        return directories
    }

    /// Whether `nameOrPath` is taken as a path (it contains `/` or ends in `.yaml`) rather
    /// than a board name.
    public static func isPath(_ nameOrPath: String) -> Bool {
        nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml")
    }

    /// Every board file in the search directories, sorted by name; a name found in several
    /// directories is listed once, from the first. Files that do not load are listed too,
    /// with their ``BoardListing/error``.
    public func availableBoards() -> [BoardListing] {
        var listings: [String: BoardListing] = [:]
        for directory in searchDirectories {
            for (name, file) in boardFiles(in: directory) where listings[name] == nil {
                let result = Result { () throws(BoardError) in try BoardLoader.load(path: file) }
                listings[name] = BoardListing(name: name, file: file, result: result)
            }
        }
        return listings.values.sorted { $0.name < $1.name }
    }

    /// The file of the board called `name`, or nil if no search directory has one.
    public func file(ofBoard name: String) -> String? {
        guard !name.isEmpty, !Self.isPath(name) else { return nil }
        return searchDirectories.lazy.map { "\($0)/\(name).yaml" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Loads the board file at `path`, wherever it is: the same as ``BoardLoader/load(path:)``.
    public func load(path: String) throws(BoardError) -> BoardDescription {
        try BoardLoader.load(path: path)
    }

    /// Loads a board given by name (looked up in ``searchDirectories``) or by path (see
    /// ``isPath(_:)``).
    ///
    /// - Throws: a ``BoardError`` with the file's diagnostics if it is invalid or unreadable;
    ///   for an unknown name, one diagnostic listing the available boards and the
    ///   directories searched.
    public func load(nameOrPath: String) throws(BoardError) -> BoardDescription {
        if Self.isPath(nameOrPath) { return try load(path: nameOrPath) }
        if let file = file(ofBoard: nameOrPath) { return try load(path: file) }
        let names = availableBoards().map(\.name)
        let searched = searchDirectories.joined(separator: ", ")
        let available = names.isEmpty
            ? "no board files were found" : "available boards: " + names.joined(separator: ", ")
        throw BoardError(file: nil, message: "unknown board '\(nameOrPath)'; \(available) (searched: \(searched))")
    }

    // MARK: Helpers

    /// (name, path) of each `*.yaml` file in `directory`, sorted by name.
    private func boardFiles(in directory: String) -> [(name: String, file: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted()
            .map { (String($0.dropLast(5)), "\(directory)/\($0)") }
    }

    /// The first `Boards` directory in the directory of `executablePath` or an ancestor.
    private static func boardsDirectory(above executablePath: String) -> String? {
        var directory = URL(fileURLWithPath: executablePath).deletingLastPathComponent()
        while true {
            let candidate = directory.appendingPathComponent("Boards").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }

    /// The running executable's resolved path: `/proc/self/exe` on Linux, else Foundation's idea.
    private static func currentExecutablePath() -> String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath
    }
}
