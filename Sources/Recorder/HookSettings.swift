/// What hooks a ``HookRunner`` runs and how it bounds them.
public struct HookSettings: Sendable, Hashable {
    /// The command line run (by `/bin/sh -c`) for each kind of hook; kinds without one run
    /// nothing.
    public var commands: [HookKind: String]
    /// How long a hook may run before its process group is sent SIGTERM.
    public var timeout: Duration
    /// How long after SIGTERM a hook's process group is sent SIGKILL.
    public var killGrace: Duration
    /// How many hooks may run at once (at least 1); a hook asked for while this many run is
    /// skipped, and reported, rather than queued.
    public var maximumConcurrent: Int
    /// Whether the hooks' standard output and error are logged, line by line (at `info`), or
    /// discarded.
    public var logsOutput: Bool

    public init(
        commands: [HookKind: String] = [:], timeout: Duration = .seconds(30), killGrace: Duration = .seconds(2),
        maximumConcurrent: Int = 4, logsOutput: Bool = true
    ) {
        self.commands = commands
        self.timeout = timeout
        self.killGrace = killGrace
        self.maximumConcurrent = maximumConcurrent
        self.logsOutput = logsOutput
    }

    /// Throws ``HookError/invalidSettings(setting:reason:)`` naming the first setting out of range.
    public func validate() throws(HookError) {
        guard timeout > .zero else { throw .invalidSettings(setting: "timeout", reason: "\(timeout) is not positive") }
        guard killGrace >= .zero else { throw .invalidSettings(setting: "killGrace", reason: "\(killGrace) is negative") }
        guard maximumConcurrent >= 1 else {
            throw .invalidSettings(setting: "maximumConcurrent", reason: "\(maximumConcurrent) is less than 1")
        }
        for kind in HookKind.allCases {
            if let command = commands[kind], command.allSatisfy(\.isWhitespace) {
                throw .invalidSettings(setting: "commands[\(kind.rawValue)]", reason: "the command is empty")
            }
        }
    }
}
