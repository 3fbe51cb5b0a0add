import Foundation
import Synchronization
import TestSupport
import Testing

/// Runs the built `vigil` executable, which sits beside the test bundle.
struct VigilProcess {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    static var executable: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // The bundle may be a directory (…/X.xctest/Contents/…) or a file beside the products.
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("vigil")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return bundle.deletingLastPathComponent().appendingPathComponent("vigil")
    }

    /// Runs vigil to completion on a thread of its own: waiting for a process must not hold
    /// one of Swift's few cooperative threads, which other tests need.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await onThreadOfItsOwn { try runBlocking(arguments, environment: environment) }
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "VIGIL_BACKEND")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Drain standard error beside standard output, so neither pipe fills and stalls vigil.
        nonisolated(unsafe) var err = Data()
        let errorDone = DispatchSemaphore(value: 0)
        Thread {
            err = error.fileHandleForReading.readDataToEndOfFile()
            errorDone.signal()
        }.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        errorDone.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
    }
}

/// A `vigil` that keeps running (an emulator), with its standard output read line by line.
final class RunningVigil: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let lines = DispatchQueue(label: "vigil-output")

    init(_ arguments: [String]) throws {
        process.executableURL = VigilProcess.executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// The next line of standard output (nil at end of file), read off the cooperative pool.
    /// A vigil that says nothing for `limit` is killed, which fails the test saying so.
    func nextLine(within limit: Duration = .seconds(60)) async -> String? {
        let silent = Atomic<Bool>(false)
        let killer = DispatchWorkItem { [process] in
            silent.store(true, ordering: .sequentiallyConsistent)
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        }
        let (seconds, attoseconds) = limit.components
        DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(attoseconds) / 1e18, execute: killer)
        let line = await readLine()
        killer.cancel()
        if silent.load(ordering: .sequentiallyConsistent) {
            Issue.record("vigil \(process.arguments ?? []) printed no line within \(limit): killed it")
        }
        return line
    }

    private func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            lines.async { [output] in
                var line = Data()
                while true {
                    let byte = output.fileHandleForReading.readData(ofLength: 1)
                    if byte.isEmpty { return continuation.resume(returning: line.isEmpty ? nil : String(decoding: line, as: UTF8.self)) }
                    if byte.first == 0x0A { return continuation.resume(returning: String(decoding: line, as: UTF8.self)) }
                    line.append(byte)
                }
            }
        }
    }

    /// Kills it with SIGKILL (no chance to clean up) and waits for it to end.
    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = try? await onThreadOfItsOwn { [process] in process.waitUntilExit() }
    }

    /// Sends SIGTERM and returns the exit status.
    func stop() async -> Int32 {
        process.terminate()
        return (try? await onThreadOfItsOwn { [process] in
            process.waitUntilExit()
            return process.terminationStatus
        }) ?? -1
    }
}

/// Runs a program to completion off the cooperative pool.
func runProgram(_ path: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
    try await onThreadOfItsOwn {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
