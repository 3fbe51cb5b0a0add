import Foundation
import Glibc
import HAL
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Recorder

/// These tests run real processes. Waits are bounded with generous deadlines and fail saying
/// what they waited for; nothing depends on precise timing.
@Suite struct HookRunnerTests {
    /// Failures the runner reported, and log messages it wrote.
    final class Recorded: Sendable {
        let failures = Mutex<[HookFailure]>([])
        /// When each failure was reported (on the runner's threads, which a busy test run's
        /// task pool cannot hold up).
        let reportTimes = Mutex<[ContinuousClock.Instant]>([])
        let messages = Mutex<[String]>([])

        var failureList: [HookFailure] { failures.withLock { $0 } }
        var messageList: [String] { messages.withLock { $0 } }

        func runner(_ settings: HookSettings) throws -> HookRunner {
            let logger = Logger(label: "hooks-test") { _ in CollectingLogHandler(recorded: self) }
            return try HookRunner(settings: settings, logger: logger) { failure in
                self.failures.withLock { $0.append(failure) }
                self.reportTimes.withLock { $0.append(.now) }
            }
        }
    }

    struct CollectingLogHandler: LogHandler {
        let recorded: Recorded
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorded.messages.withLock { $0.append("\(event.message)") }
        }
    }

    func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vigil-hook-\(UUID().uuidString)").path
    }

    /// Waits for every hook of `runner` to end and be reported; fails, saying how many still
    /// run, after 10 s.
    func allEnd(_ runner: HookRunner) async throws {
        try await waitUntil("every hook to end (\(runner.runningCount) still running)", within: .seconds(10)) { runner.runningCount == 0 }
    }

    /// The processes of process group `group` that are not zombies (which an orphan stays
    /// until the system's init reaps it), from /proc.
    func livingProcesses(inGroup group: Int32) throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { entry in
            guard let processID = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { return nil }
            // After the command name: state, parent, process group, ...
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[2]) == group, fields[0] != "Z" else { return nil }
            return processID
        }
    }

    @Test func theEnvironmentReachesTheCommand() async throws {
        let output = temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: output) }
        let recorded = Recorded()
        let runner = try recorded.runner(
            HookSettings(commands: [
                .eventEnd: #"printf '%s\n' "$VIGIL_HOOK" "$VIGIL_EVENT_ID" "$VIGIL_MOVIE" "$PATH" > "$OUT""#
            ]))
        let launch = runner.run(
            .eventEnd,
            environment: [
                HookVariable.eventID.rawValue: "42", HookVariable.movie.rawValue: "/tmp/a movie; $(rm -rf x).mkv",
                "OUT": output,
            ])
        guard case .started(let processID) = launch else {
            Issue.record("not started: \(launch)")
            return
        }
        #expect(processID > 0)
        try await allEnd(runner)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == ["event-end", "42", "/tmp/a movie; $(rm -rf x).mkv", ProcessInfo.processInfo.environment["PATH"] ?? ""])
        #expect(recorded.failureList.isEmpty)
        #expect(runner.run(.eventStart) == .notConfigured)
    }

    @Test func aCameraNameFullOfShellMetacharactersReachesTheCommandOnlyAsAValue() async throws {
        // Configuration refuses such names; the hook must be safe even so: values travel only in
        // the environment, never in the command line.
        let output = temporaryFile()
        let planted = output + "-planted"
        defer { try? FileManager.default.removeItem(atPath: output); try? FileManager.default.removeItem(atPath: planted) }
        let camera = #"gate'; touch "$PLANTED"; echo "$(touch $PLANTED)" `touch $PLANTED` | & > < * ? ~ \ $HOME"#
        let recorded = Recorded()
        let runner = try recorded.runner(HookSettings(commands: [.eventStart: #"printf '%s' "$VIGIL_CAMERA" > "$OUT""#]))
        guard case .started = runner.run(.eventStart, environment: [HookVariable.camera.rawValue: camera, "OUT": output, "PLANTED": planted])
        else {
            Issue.record("not started")
            return
        }
        try await allEnd(runner)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == camera)
        #expect(!FileManager.default.fileExists(atPath: planted), "a metacharacter in the value ran as shell")
        #expect(recorded.failureList.isEmpty)
    }

    @Test func aFailingHookIsReportedWithItsStatus() async throws {
        let recorded = Recorded()
        let runner = try recorded.runner(
            HookSettings(commands: [.eventStart: "exit 3", .eventEnd: "kill -USR1 $$", .movieEnd: "no-such-command-vigil"]))
        for kind in HookKind.allCases { runner.run(kind) }
        try await allEnd(runner)
        let reasons = Dictionary(uniqueKeysWithValues: recorded.failureList.map { ($0.kind, $0.reason) })
        #expect(reasons[.eventStart] == .exited(status: 3))
        #expect(reasons[.eventEnd] == .signalled(signal: SIGUSR1))
        #expect(reasons[.movieEnd] == .exited(status: 127))
        #expect(recorded.failureList.allSatisfy { $0.processID != nil })
        // The shell's complaint about the missing command went to the log.
        #expect(recorded.messageList.contains { $0.contains("hook output:") && $0.contains("no-such-command-vigil") })
        #expect(recorded.messageList.contains { $0.contains("exited with status 3") })
    }

    @Test func aSlowHookIsKilledAtItsTimeoutWithoutHoldingUpRun() async throws {
        let recorded = Recorded()
        // The second one ignores SIGTERM, so only SIGKILL ends it.
        let runner = try recorded.runner(
            HookSettings(
                commands: [.eventStart: "sleep 30", .eventEnd: "trap '' TERM; sleep 30; sleep 30"],
                timeout: .milliseconds(500), killGrace: .milliseconds(300)))
        let clock = ContinuousClock()
        let started = clock.now
        let launches = [runner.run(.eventStart), runner.run(.eventEnd)]
        #expect(clock.now - started < .seconds(1), "run waited for the hook")
        #expect(runner.runningCount == 2)
        try await allEnd(runner)
        let reported = recorded.reportTimes.withLock { $0 }
        #expect(reported.allSatisfy { $0 - started < .seconds(10) }, "\(reported.map { $0 - started })")
        #expect(Set(recorded.failureList.map(\.reason)) == [.timedOut(after: .milliseconds(500))])
        #expect(recorded.failureList.count == 2)
        // The whole process group is gone: the shells and their sleeps.
        for launch in launches {
            guard case .started(let processID) = launch else {
                Issue.record("not started: \(launch)")
                continue
            }
            #expect(try livingProcesses(inGroup: processID).isEmpty)
        }
    }

    @Test func aHookHoldsNoDescriptorOfTheNodeSoAConnectionTheNodeClosesEndsForItsPeer() async throws {
        // A connection the node holds without close-on-exec (swift-nio accepts the HTTP
        // interface's so): a socket pair, one end the node's, the other the client's.
        var ends: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0, "socketpair: errno \(errno)")
        let (node, client) = (ends[0], ends[1])
        defer { close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let recorded = Recorded()
        let runner = try recorded.runner(HookSettings(commands: [.eventStart: "sleep 8"], timeout: .seconds(3), killGrace: .milliseconds(300)))
        let launch = runner.run(.eventStart)
        close(node)
        guard case .started = launch else {
            Issue.record("not started: \(launch)")
            return
        }
        // The node closed its end: the client reads the end of the stream now, not when the hook ends.
        let (count, waited) = try await onThreadOfItsOwn { () -> (Int, Duration) in
            let started = ContinuousClock.now
            var byte: UInt8 = 0
            return (recv(client, &byte, 1, 0), started.duration(to: .now))
        }
        #expect(count == 0 && waited < .seconds(2), "read \(count) after \(waited): the hook held the node's end open")
        try await allEnd(runner)
    }

    @Test func hooksBeyondTheCapAreSkippedAndReported() async throws {
        let recorded = Recorded()
        let runner = try recorded.runner(
            HookSettings(commands: [.movieEnd: "sleep 30"], maximumConcurrent: 2))
        var launches = (0..<3).map { _ in runner.run(.movieEnd) }
        #expect(launches.prefix(2).allSatisfy { if case .started = $0 { true } else { false } })
        let skipped = HookFailure(kind: .movieEnd, command: "sleep 30", reason: .skipped(running: 2))
        #expect(launches[2] == .failed(skipped))
        #expect(recorded.failureList == [skipped])

        // Shutdown ends the two running ones; nothing starts afterwards.
        #expect(await runner.shutdown(timeout: .milliseconds(100)) == 2)
        #expect(runner.runningCount == 0)
        launches.append(runner.run(.movieEnd))
        #expect(launches[3] == .failed(HookFailure(kind: .movieEnd, command: "sleep 30", reason: .shutDown)))
        let reasons = recorded.failureList.map(\.reason)
        #expect(reasons.filter { $0 == .stoppedAtShutdown }.count == 2)
    }

    @Test func outputIsLoggedAndAFloodNeverBlocksTheHook() async throws {
        let recorded = Recorded()
        let runner = try recorded.runner(
            HookSettings(commands: [.eventStart: "echo hello; echo oops >&2; head -c 2000000 /dev/zero | tr '\\0' x; echo"]))
        runner.run(.eventStart)
        try await allEnd(runner)
        #expect(recorded.failureList.isEmpty)
        let messages = recorded.messageList
        #expect(messages.contains("hook output: hello"))
        #expect(messages.contains("hook output: oops"))
        #expect(messages.contains { $0.contains("further output not logged") })
        #expect(messages.filter { $0.hasPrefix("hook output:") }.count < 100)

        // Discarded output does not block either.
        let quiet = try recorded.runner(
            HookSettings(commands: [.eventStart: "head -c 2000000 /dev/zero"], logsOutput: false))
        quiet.run(.eventStart)
        try await allEnd(quiet)
        #expect(recorded.failureList.isEmpty)
    }

    @Test func invalidSettingsAreRefused() throws {
        let invalid: [(String, HookSettings)] = [
            ("timeout", HookSettings(timeout: .zero)),
            ("killGrace", HookSettings(killGrace: .seconds(-1))),
            ("maximumConcurrent", HookSettings(maximumConcurrent: 0)),
            ("commands[event-end]", HookSettings(commands: [.eventEnd: "  "])),
        ]
        for (name, settings) in invalid {
            #expect {
                try Recorded().runner(settings)
            } throws: { error in
                guard case .invalidSettings(let setting, _) = error as? HookError else { return false }
                return setting == name
            }
        }
    }
}
