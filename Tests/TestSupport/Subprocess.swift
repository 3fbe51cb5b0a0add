import CPosix
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, its standard output (and error, unless given a
/// file of its own) going to a file.
///
/// Foundation's `Process` needs a run loop and its wake-up sockets, which the virtual board's
/// guest cannot always create; this needs nothing but the kernel.
public final class Subprocess: Sendable {
    public let pid: pid_t
    public let outputPath: String

    /// Starts `executable` with `arguments` and the current environment plus `environment`.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], outputPath: String, errorPath: String? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Only the three standard streams: swift-nio accepts connections without close-on-exec,
        // and a child holding a server's connection keeps it open for the client (no FIN).
        let closing = vigil_spawn_close_from(&actions, 3)
        guard closing == 0 else {
            throw CocoaError(
                .fileReadUnknown,
                userInfo: [NSLocalizedDescriptionKey: "posix_spawn_file_actions_addclosefrom_np: \(String(cString: strerror(closing)))"])
        }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The child starts with no signal blocked and the usual ones at their defaults: the
        // spawning thread may be one of Dispatch's, which block most signals, and a command run
        // in this process (ProcessSignals) ignores SIGTERM and SIGINT; an ignored signal stays
        // ignored across exec, so a broker stopped before it set its own handler would never end.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        vigil_child_signal_defaults(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable): \(String(cString: strerror(result)))"])
        }
        self.pid = pid
        self.outputPath = outputPath
    }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end (blocking) and returns its exit status, or 128 + the signal
    /// that ended it.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return Self.exitStatus(status)
    }

    /// Sends `signal`, waits up to `grace` for the process to end, then kills it (SIGKILL) and
    /// waits for that: a test's clean-up never hangs on a child that does not stop. Returns the
    /// exit status as ``wait()`` does, and whether the kill was needed.
    @discardableResult
    public func stop(_ signal: Int32, grace: Duration = .seconds(10)) -> (status: Int32, killed: Bool) {
        kill(pid, signal)
        let deadline = ContinuousClock.now.advanced(by: grace)
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let ended = waitpid(pid, &status, WNOHANG)
            if ended == pid { return (Self.exitStatus(status), false) }
            if ended < 0 && errno != EINTR { return (-1, false) }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        return (wait(), true)
    }

    private static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// What it wrote so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
}
