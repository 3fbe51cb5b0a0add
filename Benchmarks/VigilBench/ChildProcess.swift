import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A program a benchmark section starts (`vigil emulate`, `vigil record`, `motion`, ...), its
/// standard output and error going to files in the section's work folder so that no pipe can
/// fill and stall it.
final class ChildProcess: @unchecked Sendable {
    /// What a child did that a section cannot go on from.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let name: String
    let outputPath: String
    let errorPath: String
    private let process = Process()

    /// Starts `executable` with `arguments` (and the environment plus `environment`); `name`
    /// names its log files in `folder`.
    /// With `passOutput` the child writes to this process's standard output and error instead.
    init(
        _ executable: String, _ arguments: [String], name: String, folder: String, environment: [String: String]? = nil,
        passOutput: Bool = false
    ) throws {
        self.name = name
        outputPath = folder + "/" + name + ".out"
        errorPath = folder + "/" + name + ".log"
        for path in [outputPath, errorPath] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw Failure(description: "cannot create \(path)")
            }
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardInput = FileHandle.nullDevice
        if !passOutput {
            process.standardOutput = FileHandle(forWritingAtPath: outputPath)
            process.standardError = FileHandle(forWritingAtPath: errorPath)
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then SIGKILL after `timeout`; returns the exit status (or the signal's number).
    @discardableResult
    func stop(timeout: Duration = .seconds(20)) -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + timeout
            while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits for the end (killing it after `timeout`) and returns what it printed on standard
    /// output; throws, with the end of its standard error, if it did not exit with status 0.
    func output(within timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            stop(timeout: .seconds(5))
            throw Failure(description: "\(name) did not end within \(timeout); see \(errorPath)")
        }
        process.waitUntilExit()
        let output = try String(contentsOfFile: outputPath, encoding: .utf8)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw Failure(description: "\(name) failed (status \(process.terminationStatus)): \(String((errors.isEmpty ? output : errors).suffix(400)))")
        }
        return output
    }

    /// Waits for the end and returns the exit status (128 + the signal's number if one ended it).
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    /// The error log's last `count` characters, for a failure message.
    func errorTail(_ count: Int = 400) -> String {
        String(((try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "").suffix(count))
    }
}
