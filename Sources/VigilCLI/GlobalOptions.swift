import ArgumentParser
import BoardSupport
import HAL
import Logging
import Node
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The board: a name from Boards/ (see 'vigil boards list') or a path to a board file. Default: sim (or the configuration's board).")
    var board: String?

    /// The board named on the command line, else `sim`.
    var boardName: String { board ?? "sim" }

    @Option(help: "The hardware backend: sim or linux. Default: $VIGIL_BACKEND, else sim for simulated boards and linux for real ones.")
    var backend: BoardBackend?

    @Option(help: "How many times faster than the wall clock the simulated board runs.")
    var speed: Double = 1

    @Flag(help: "Print machine-readable JSON instead of text.")
    var json = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .warning

    mutating func validate() throws {
        guard speed > 0 && speed <= 1_000_000 else {
            throw ValidationError("--speed must be greater than 0 and at most 1000000, not \(speed)")
        }
        if backend == nil, let fromEnvironment = getenv("VIGIL_BACKEND").map({ String(cString: $0) }), !fromEnvironment.isEmpty {
            guard let parsed = BoardBackend(rawValue: fromEnvironment) else {
                throw ValidationError("VIGIL_BACKEND must be 'sim' or 'linux', not '\(fromEnvironment)'")
            }
            backend = parsed
        }
    }

    /// Sets up logging to standard error at the chosen level (once per process).
    func makeLogger(_ label: String) -> Logger {
        LoggingSetup.once(level: logLevel)
        return Logger(label: label)
    }
}

extension BoardBackend: ExpressibleByArgument {}

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum LoggingSetup {
    private static let done = Mutex(false)

    static func once(level: Logger.Level) {
        done.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// A duration on the command line: `90s`, `5m`, `1h`, `250ms`.
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        guard let duration = Duration(humanReadable: argument) else { return nil }
        self.duration = duration
    }

    /// `text` as a duration, or an error saying why not (too long, not a duration), which
    /// ArgumentParser shows after the flag's name: use as `@Option(transform:)`.
    static func parse(_ text: String) throws -> DurationArgument {
        guard let argument = DurationArgument(argument: text) else {
            throw ValidationError(Duration.humanReadableProblem(text))
        }
        return argument
    }

    var description: String { duration.humanReadable }
    var defaultValueDescription: String { duration.humanReadable }
}

extension NodeHardware {
    /// The board `--board` names (else `defaultBoard`, else `sim`) on the `--backend` chosen,
    /// the simulated board running `--speed` times faster than the wall clock.
    init(options: GlobalOptions, defaultBoard: String? = nil) throws {
        try self.init(board: options.board ?? defaultBoard ?? "sim", backend: options.backend, speed: options.speed)
    }
}
