import ArgumentParser
import EventStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the recorder keeps its movies, snapshots, index and control socket: the option shared by
/// `record`, `status`, `events` and `trigger`.
struct StorageOptions: ParsableArguments {
    @Option(
        name: .customLong("storage"),
        help: ArgumentHelp(
            "The storage root. Default: $VIGIL_STORAGE, else /var/lib/vigil as root, else $XDG_DATA_HOME/vigil or ~/.local/share/vigil.",
            valueName: "dir"))
    var storage: String?

    /// The storage root: `--storage`, else `$VIGIL_STORAGE`, else `/var/lib/vigil` when running as
    /// root, else `$XDG_DATA_HOME/vigil` (when that is an absolute path), else `~/.local/share/vigil`.
    func root() -> String {
        Self.resolveRoot(
            option: storage, environment: ProcessInfo.processInfo.environment, isRoot: geteuid() == 0,
            home: FileManager.default.homeDirectoryForCurrentUser.path)
    }

    /// The layout under ``root()``.
    var layout: StorageLayout { StorageLayout(root: root()) }

    /// The rule behind ``root()``, apart from the process for tests.
    static func resolveRoot(option: String?, environment: [String: String], isRoot: Bool, home: String) -> String {
        if let option, !option.isEmpty { return option }
        if let fromEnvironment = environment["VIGIL_STORAGE"], !fromEnvironment.isEmpty { return fromEnvironment }
        if isRoot { return "/var/lib/vigil" }
        // The XDG base directory spec says to ignore a relative XDG_DATA_HOME.
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return StorageLayout(root: data).root + "/vigil"
        }
        return StorageLayout(root: home).root + "/.local/share/vigil"
    }

    /// Opens the event index under ``root()`` for reading, alongside a recorder that may be writing it.
    /// Throws a ``CLIError`` naming the root and how to choose another when there is no index there.
    func openIndex() throws -> EventIndex {
        let layout = layout
        do {
            return try EventIndex(path: layout.indexPath, readOnly: true)
        } catch where error.kind == .notFound {
            throw CLIError(
                "no event index at \(layout.indexPath): nothing has been recorded under \(layout.root) yet. "
                    + "Choose the storage root with --storage DIR or VIGIL_STORAGE.")
        } catch {
            throw CLIError("cannot read the event index at \(layout.indexPath): \(error)")
        }
    }
}
