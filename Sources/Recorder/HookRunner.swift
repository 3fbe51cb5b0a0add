import Dispatch
import Foundation
import HAL
import Logging
import Synchronization

/// Runs the recorder's hook commands (on event start, event end and movie end) without ever
/// making the recorder wait for them.
///
/// ``run(_:environment:)`` starts the kind's command with `/bin/sh -c` and returns at once; a
/// thread of its own (never a shared dispatch queue) waits for the process, logs its output
/// line by line, and enforces the timeout: SIGTERM to the hook's process group, SIGKILL
/// ``HookSettings/killGrace`` later. At most ``HookSettings/maximumConcurrent`` hooks run at
/// once; one asked for beyond that is skipped, not queued. Every failure (non-zero exit,
/// signal, timeout, skip, a failed `posix_spawn`) is logged as a warning and handed to
/// `onFailure`, which the recorder uses to count them in its health.
///
/// The runner reaps its own children with `waitpid`: the process must not ignore SIGCHLD.
/// Thread safety: `Sendable`; `run` may be called from any thread or task.
public final class HookRunner: Sendable {
    public let settings: HookSettings
    private let logger: Logger
    private let onFailure: (@Sendable (HookFailure) -> Void)?
    private let state = Mutex(State())
    /// Entered for each hook admitted, left when it has ended and been reported.
    private let active = DispatchGroup()

    private struct State {
        /// Hooks admitted and not yet ended.
        var running = 0
        /// False once shutdown began: no hook starts any more.
        var accepting = true
        /// Set when shutdown's wait ran out: running hooks are terminated.
        var stopping = false
    }

    /// A runner for `settings` (validated: throws ``HookError/invalidSettings(setting:reason:)``),
    /// logging through `logger` and reporting failures to `onFailure`, which is called on the
    /// hook's watcher thread (or the caller's, for hooks not started) and must not block.
    public init(
        settings: HookSettings, logger: Logger, onFailure: (@Sendable (HookFailure) -> Void)? = nil
    ) throws(HookError) {
        try settings.validate()
        self.settings = settings
        self.logger = logger
        self.onFailure = onFailure
    }

    /// Starts the command configured for `kind`, with `environment` added to (and overriding)
    /// the recorder's own environment and ``HookVariable/hook`` set to the kind. Returns as
    /// soon as the process is started, skipped or failed to start; never waits for it.
    @discardableResult
    public func run(_ kind: HookKind, environment: [String: String] = [:]) -> HookLaunch {
        guard let command = settings.commands[kind] else { return .notConfigured }
        let refusal: HookFailure.Reason? = state.withLock { state in
            if !state.accepting { return .shutDown }
            if state.running >= settings.maximumConcurrent { return .skipped(running: state.running) }
            state.running += 1
            active.enter()
            return nil
        }
        if let refusal {
            return .failed(report(HookFailure(kind: kind, command: command, reason: refusal)))
        }

        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { _, given in given }
        variables[HookVariable.hook.rawValue] = kind.rawValue
        let process: HookProcess
        do {
            process = try HookProcess.spawn(command: command, environment: variables, capturesOutput: settings.logsOutput)
        } catch {
            let failure = report(HookFailure(kind: kind, command: command, reason: .system(error)))
            end()
            return .failed(failure)
        }
        let processID = process.processID
        var hookLogger = logger
        hookLogger[metadataKey: "hook"] = "\(kind.rawValue)"
        hookLogger[metadataKey: "pid"] = "\(processID)"
        hookLogger.debug("hook started: \(command)")
        let deadline = SystemClock().now.advanced(by: settings.timeout)
        let thread = Thread { [self, hookLogger] in
            var process = process
            let (end, termination) = process.watch(
                deadline: deadline, killGrace: settings.killGrace,
                stopRequested: { self.state.withLock { $0.stopping } },
                line: { hookLogger.info("hook output: \($0)") })
            if let reason = failure(end: end, termination: termination) {
                report(HookFailure(kind: kind, command: command, reason: reason, processID: processID))
            } else {
                hookLogger.debug("hook finished")
            }
            self.end()
        }
        thread.name = "vigil hook \(kind.rawValue)"
        thread.start()
        return .started(processID: processID)
    }

    /// How many hooks are running (admitted and not yet ended).
    public var runningCount: Int { state.withLock { $0.running } }

    /// Blocks the calling thread until no hook runs or `timeout` passes; true if none runs.
    /// Hooks that ended have been reported by then. Not for Swift tasks (use ``shutdown(timeout:)``).
    public func waitForAll(timeout: Duration) -> Bool {
        let nanoseconds = max(0, min(timeout.nanoseconds, Int64(Int.max)))
        return active.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success
    }

    /// Stops for good: no hook starts any more (``HookFailure/Reason/shutDown``); running
    /// hooks get `timeout` to end, then their process groups are terminated as at a timeout
    /// (reported as ``HookFailure/Reason/stoppedAtShutdown``). Returns how many had to be
    /// terminated. The waiting happens on a thread of its own, not the caller's task.
    public func shutdown(timeout: Duration) async -> Int {
        await withCheckedContinuation { continuation in
            let thread = Thread { [self] in continuation.resume(returning: shutdownWaiting(timeout: timeout)) }
            thread.name = "vigil hook shutdown"
            thread.start()
        }
    }

    /// ``shutdown(timeout:)`` for callers that may block their thread.
    public func shutdownWaiting(timeout: Duration) -> Int {
        state.withLock { $0.accepting = false }
        if waitForAll(timeout: timeout) { return 0 }
        let terminated = state.withLock { state in
            state.stopping = true
            return state.running
        }
        // The watchers look every few milliseconds, then allow the kill grace.
        _ = waitForAll(timeout: settings.killGrace + .seconds(1))
        return terminated
    }

    private func failure(end: HookProcess.End, termination: HookProcess.Termination?) -> HookFailure.Reason? {
        switch termination {
        case .timedOut: return .timedOut(after: settings.timeout)
        case .stopped: return .stoppedAtShutdown
        case nil: break
        }
        switch end {
        case .waitFailed(let error):
            return .system(error)
        case .status(let status):
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
            let signal = status & 0x7F
            if signal == 0 {
                let code = (status >> 8) & 0xFF
                return code == 0 ? nil : .exited(status: code)
            }
            return .signalled(signal: signal)
        }
    }

    @discardableResult
    private func report(_ failure: HookFailure) -> HookFailure {
        logger.warning("\(failure)")
        onFailure?(failure)
        return failure
    }

    private func end() {
        state.withLock { $0.running -= 1 }
        active.leave()
    }
}
