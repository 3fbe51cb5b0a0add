import BoardSupport
import Node

/// The YAML readers: a board file and a node's configuration, as text from a file. Any input
/// must give a value or diagnostics that can be printed, in bounded time and memory (libFuzzer's
/// -timeout and -rss_limit_mb catch alias bombs and the like).
enum YAMLHarness {
    static func board(_ text: String) {
        do {
            let board = try BoardLoader.parse(yaml: text, file: "fuzz.yaml")
            _ = String(describing: board)
        } catch {
            require(!error.diagnostics.isEmpty, "a BoardError without diagnostics")
            _ = error.description
        }
    }

    static func node(_ text: String) {
        do {
            let configuration = try NodeConfiguration.parse(yaml: text, file: "fuzz.yaml")
            _ = String(describing: configuration)
        } catch let error as ConfigurationError {
            require(!error.diagnostics.isEmpty, "a ConfigurationError without diagnostics")
            _ = error.description
        } catch {
            _ = String(describing: error)
        }
    }
}
