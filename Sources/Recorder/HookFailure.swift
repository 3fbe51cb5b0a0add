import HAL

/// Why a hook did not run to a successful end, as ``HookRunner`` reports it.
public struct HookFailure: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The command exited with a non-zero status.
        case exited(status: Int32)
        /// The command was killed by a signal it did not get from the runner.
        case signalled(signal: Int32)
        /// The command ran past the timeout and was terminated.
        case timedOut(after: Duration)
        /// The runner was shut down while the command ran, and terminated it.
        case stoppedAtShutdown
        /// The maximum number of hooks (`running`) were already running; this one was skipped.
        case skipped(running: Int)
        /// The runner has been shut down; the hook was not started.
        case shutDown
        /// The command could not be started, or its end could not be awaited.
        case system(HALError)
    }

    public var kind: HookKind
    public var command: String
    public var reason: Reason
    /// The shell's process id, if it was started.
    public var processID: Int32?

    public init(kind: HookKind, command: String, reason: Reason, processID: Int32? = nil) {
        self.kind = kind
        self.command = command
        self.reason = reason
        self.processID = processID
    }

    public var description: String {
        let what =
            switch reason {
            case .exited(let status): "exited with status \(status)"
            case .signalled(let signal): "was killed by signal \(signal)"
            case .timedOut(let after): "timed out after \(after.humanReadable) and was terminated"
            case .stoppedAtShutdown: "was terminated at shutdown"
            case .skipped(let running): "was skipped: \(running) hooks are already running"
            case .shutDown: "was not started: hooks are shut down"
            case .system(let error): "failed: \(error)"
            }
        return "\(kind.rawValue) hook \(processID.map { "(pid \($0)) " } ?? "")\(what): \(command)"
    }
}

/// What ``HookRunner/run(_:environment:)`` did.
public enum HookLaunch: Sendable, Hashable {
    /// The command started as process `processID`; it runs on, watched by its own thread.
    case started(processID: Int32)
    /// No command is configured for this kind of hook.
    case notConfigured
    /// The command was not started (also reported to the failure handler).
    case failed(HookFailure)
}
