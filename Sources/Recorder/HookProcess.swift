#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPosix
import HAL
import SystemCalls

/// One hook's shell, `/bin/sh -c COMMAND`: started by `posix_spawn` in a process group of its
/// own (so that a timeout ends everything it started), signal mask and dispositions reset,
/// standard input from `/dev/null`, standard output and error into a pipe the runner drains
/// (or `/dev/null`); every other descriptor of the node is closed in the child, close-on-exec
/// or not.
///
/// Made by ``spawn(command:environment:capturesOutput:)`` and then handed to the one thread
/// that calls ``watch(deadline:killGrace:stopRequested:line:)``, which closes the pipe.
struct HookProcess: Sendable {
    let processID: Int32
    /// The read end of the output pipe, or -1 when output goes to `/dev/null`.
    private var output: Int32

    /// How a watched process ended.
    enum End {
        /// `waitpid` reported the process ended with this raw status.
        case status(Int32)
        /// `waitpid` failed (say because SIGCHLD is ignored and the child was reaped by the
        /// system).
        case waitFailed(HALError)
    }

    /// Why the watcher sent signals.
    enum Termination: Equatable {
        case timedOut
        case stopped
    }

    /// Starts `command` with `environment` as its whole environment.
    static func spawn(
        command: String, environment: [String: String], capturesOutput: Bool
    ) throws(HALError) -> HookProcess {
        var ends: [Int32] = [-1, -1]
        defer { if ends[1] >= 0 { close(ends[1]) } }
        do {
            if capturesOutput {
                // (pipe2 with O_CLOEXEC is hidden from Swift; a hook spawned by another thread
                // in between could at worst hold the pipe open, which the watcher tolerates.)
                try systemCall("pipe", target: "hook output") { pipe(&ends) }
                for end in ends {
                    try systemCall("fcntl", target: "hook output") { fcntl(end, F_SETFD, FD_CLOEXEC) }
                }
            }
            let processID = try start(command: command, environment: environment, outputPipe: ends[1])
            return HookProcess(processID: processID, output: ends[0])
        } catch {
            if ends[0] >= 0 { close(ends[0]) }
            throw error
        }
    }

    private init(processID: Int32, output: Int32) {
        self.processID = processID
        self.output = output
    }

    private static func start(command: String, environment: [String: String], outputPipe: Int32) throws(HALError) -> Int32 {
        let target = "/bin/sh"
        var actions = posix_spawn_file_actions_t()
        try errorNumberCall("posix_spawn_file_actions_init", target: target) { posix_spawn_file_actions_init(&actions) }
        defer { posix_spawn_file_actions_destroy(&actions) }
        try errorNumberCall("posix_spawn_file_actions_addopen", target: target) {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if outputPipe >= 0 {
            try errorNumberCall("posix_spawn_file_actions_adddup2", target: target) {
                posix_spawn_file_actions_adddup2(&actions, outputPipe, 1)
            }
        } else {
            try errorNumberCall("posix_spawn_file_actions_addopen", target: target) {
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            }
        }
        try errorNumberCall("posix_spawn_file_actions_adddup2", target: target) {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Nothing else of the node's reaches the hook: swift-nio accepts HTTP connections without
        // close-on-exec, and a hook holding one would keep it open for the client after the
        // server closed it (the idle timeout, slowloris).
        try errorNumberCall("posix_spawn_file_actions_addclosefrom_np", target: target) { vigil_spawn_close_from(&actions, 3) }

        var attributes = posix_spawnattr_t()
        try errorNumberCall("posix_spawnattr_init", target: target) { posix_spawnattr_init(&attributes) }
        defer { posix_spawnattr_destroy(&attributes) }
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        try errorNumberCall("posix_spawnattr_setflags", target: target) {
            posix_spawnattr_setflags(&attributes, Int16(flags))
        }
        try errorNumberCall("posix_spawnattr_setpgroup", target: target) { posix_spawnattr_setpgroup(&attributes, 0) }
        // The recorder may block signals (to take SIGTERM through a dispatch source) or ignore
        // SIGPIPE; a hook gets the defaults, so that it can be terminated and piped.
        var mask = sigset_t()
        sigemptyset(&mask)
        try errorNumberCall("posix_spawnattr_setsigmask", target: target) { posix_spawnattr_setsigmask(&attributes, &mask) }
        var defaults = sigset_t()
        vigil_child_signal_defaults(&defaults)
        try errorNumberCall("posix_spawnattr_setsigdefault", target: target) {
            posix_spawnattr_setsigdefault(&attributes, &defaults)
        }

        let arguments = try CStringArray(["sh", "-c", command])
        let variables = try CStringArray(environment.map { "\($0.key)=\($0.value)" })
        var processID: pid_t = 0
        try errorNumberCall("posix_spawn", target: target) {
            posix_spawn(&processID, target, &actions, &attributes, arguments.pointers, variables.pointers)
        }
        return processID
    }

    /// Waits for the process to end, handing each line of its output to `line`; sends its
    /// process group SIGTERM once `deadline` passes or `stopRequested()` returns true, and
    /// SIGKILL `killGrace` later. Blocks the calling thread: run it on a thread of its own.
    mutating func watch(
        deadline: MonotonicInstant, killGrace: Duration, stopRequested: () -> Bool, line: (String) -> Void
    ) -> (end: End, termination: Termination?) {
        defer {
            if output >= 0 { close(output) }
            output = -1
        }
        let clock = SystemClock()
        var lines = LineSplitter()
        var termination: Termination?
        var killAt = MonotonicInstant.distantFuture
        var killed = false
        while true {
            if output >= 0 {
                // Wakes at once for output or its end (usually the process's end too).
                drainOutput(waitingUpTo: Self.tick, into: &lines, line: line)
            } else {
                var none = pollfd()
                _ = try? systemCall("poll") { poll(&none, 0, Self.tick) }
            }
            var status: Int32 = 0
            let reaped: Int32
            do {
                reaped = try systemCall("waitpid", target: "pid \(processID)") { waitpid(processID, &status, WNOHANG) }
            } catch {
                return (.waitFailed(error), termination)
            }
            if reaped == processID {
                // Take what is already in the pipe; a background child may keep it open, so
                // do not wait for its end.
                if output >= 0 { drainOutput(waitingUpTo: 0, into: &lines, line: line) }
                lines.flush(line)
                return (.status(status), termination)
            }
            let now = clock.now
            if termination == nil && (now >= deadline || stopRequested()) {
                termination = now >= deadline ? .timedOut : .stopped
                signalGroup(SIGTERM)
                killAt = now.advanced(by: killGrace)
            }
            if !killed && now >= killAt {
                killed = true
                signalGroup(SIGKILL)
            }
        }
    }

    /// How long, in milliseconds, one wait lasts before the process is checked again.
    private static let tick: Int32 = 20

    private mutating func drainOutput(waitingUpTo milliseconds: Int32, into lines: inout LineSplitter, line: (String) -> Void) {
        var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        var timeout = milliseconds
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Bounded, so that a hook writing without pause still has its time checked.
        for _ in 0..<16 {
            descriptor.revents = 0
            let ready = (try? systemCall("poll", target: "hook output") { poll(&descriptor, 1, timeout) }) ?? 0
            guard ready > 0 else { return }
            let count = (try? systemCall("read", target: "hook output") { read(output, &buffer, buffer.count) }) ?? 0
            guard count > 0 else {
                // End of output: every writer has closed it.
                close(output)
                output = -1
                return
            }
            lines.append(buffer[..<count], line)
            timeout = 0
        }
    }

    /// Sends `signal` to the process group; a group already gone is not an error.
    private func signalGroup(_ signal: Int32) {
        _ = try? systemCall("kill", target: "process group \(processID)") { kill(-processID, signal) }
    }
}

/// `strdup`ed copies of strings as a NULL-terminated array of C strings, freed with it.
private final class CStringArray {
    private(set) var pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) throws(HALError) {
        pointers = []
        pointers.reserveCapacity(strings.count + 1)
        for string in strings {
            pointers.append(try systemCall("strdup") { strdup(string) })
        }
        pointers.append(nil)
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }
}

/// Splits a byte stream into lines, each cut at ``maximumLine`` bytes; stops passing lines on
/// after ``maximumTotal`` bytes and says so once.
struct LineSplitter {
    static let maximumLine = 1000
    static let maximumTotal = 64 * 1024

    private var pending: [UInt8] = []
    private var passed = 0
    private var overflowed = false

    mutating func append(_ bytes: ArraySlice<UInt8>, _ line: (String) -> Void) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                emit(line)
            } else if pending.count < Self.maximumLine {
                pending.append(byte)
            } else {
                emit(line)
                pending.append(byte)
            }
        }
    }

    /// Passes on the last, unterminated line if there is one.
    mutating func flush(_ line: (String) -> Void) {
        if !pending.isEmpty { emit(line) }
    }

    private mutating func emit(_ line: (String) -> Void) {
        defer { pending.removeAll(keepingCapacity: true) }
        guard !overflowed else { return }
        passed += pending.count + 1
        if passed > Self.maximumTotal {
            overflowed = true
            line("[further output not logged: more than \(Self.maximumTotal) bytes]")
            return
        }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        line(String(decoding: pending, as: UTF8.self))
    }
}
