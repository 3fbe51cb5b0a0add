import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `vigil-bench all`: what `Tools/bench` runs. Every section (or those named with --only) in a
/// process of its own, its table printed as it ends, and every figure in one JSON file with the
/// machine and its load.
struct AllSections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Runs the sections of Tools/bench, each in a process of its own, and writes every figure as JSON.")

    /// The sections in the order they run.
    static var sections: [any BenchSection.Type] {
        [
            TransferSection.self, CapacitySection.self, MotionBenchmark.self, MoviesSection.self, RecorderSection.self, GPIOSection.self,
            SimulationSection.self, FanOutBenchmark.self, HTTPSection.self, FleetSection.self, PeerBenchmark.self,
        ]
    }

    static var names: [String] { sections.compactMap { $0.configuration.commandName } }

    @Flag(help: "Smaller runs: the smallest frame size of each model, fewer capacity steps, shorter windows.")
    var quick = false

    @Option(help: "Run only this section (repeatable).")
    var only: [String] = []

    @Option(help: "Where to write the JSON.")
    var output: String

    @Flag(help: "Measure GPIO latency on the simulated board only.")
    var noVirtualBoard = false

    @Flag(help: "Keep each section's work folder.")
    var keep = false

    func validate() throws {
        for name in only where !Self.names.contains(name) {
            throw ValidationError("--only: no section '\(name)'; the sections: \(Self.names.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let workspace = try Workspace(prefix: "all")
        defer { workspace.remove() }
        var results: [String: Any] = ["machine": try Self.machine(workspace), "quick": quick]
        var seconds: [String: Double] = [:]
        var failed: [String] = []
        let clock = ContinuousClock()
        let started = clock.now
        for name in Self.names where only.isEmpty || only.contains(name) {
            FileHandle.standardError.write(Data("bench: \(name) ...\n".utf8))
            let figures = workspace.path(name + ".json")
            var arguments = [name, "--output", figures]
            if quick { arguments.append("--quick") }
            if keep { arguments.append("--keep") }
            if noVirtualBoard && name == "gpio" { arguments.append("--no-virtual-board") }
            let sectionStarted = clock.now
            let status = try ChildProcess(workspace.binaries + "/vigil-bench", arguments, name: name, folder: workspace.folder, passOutput: true).wait()
            seconds[name] = ((clock.now - sectionStarted).seconds * 10).rounded() / 10
            if status == 0, let data = FileManager.default.contents(atPath: figures) {
                results[name] = try JSONSerialization.jsonObject(with: data)
            } else {
                FileHandle.standardError.write(Data("bench: \(name) failed (status \(status))\n".utf8))
                results[name + "Error"] = "exit status \(status)"
                failed.append(name)
            }
        }
        results["sectionSeconds"] = seconds
        results["runSeconds"] = ((clock.now - started).seconds * 10).rounded() / 10
        var machine = results["machine"] as? [String: Any] ?? [:]
        machine["loadAverageAfter"] = try PeerBenchmark.loadAverage()
        results["machine"] = machine
        try FileManager.default.createDirectory(atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
        guard FileManager.default.createFile(atPath: output, contents: data + Data("\n".utf8)) else {
            throw ChildProcess.Failure(description: "cannot write \(output)")
        }
        let before = (machine["loadAverage"] as? [Double])?.first ?? 0
        let after = (machine["loadAverageAfter"] as? [Double])?.first ?? 0
        print(String(format: "\n%.0f s on %d CPUs (load average %.1f before, %.1f after); JSON: ",
                     (clock.now - started).seconds, ProcessInfo.processInfo.activeProcessorCount, before, after) + output)
        if !failed.isEmpty { throw ExitCode(1) }
    }

    /// The machine and its load now, and the commit measured.
    private static func machine(_ workspace: Workspace) throws -> [String: Any] {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }.map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) }
        var system = utsname()
        uname(&system)
        let kernel = withUnsafeBytes(of: system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let commit = try? ChildProcess("/usr/bin/git", ["-C", try workspace.repository, "rev-parse", "--short", "HEAD"], name: "git", folder: workspace.folder)
            .output(within: .seconds(10)).trimmingCharacters(in: .whitespacesAndNewlines)
        let formatter = ISO8601DateFormatter()
        return [
            "cpus": ProcessInfo.processInfo.activeProcessorCount, "cpu": model ?? "", "kernel": kernel, "loadAverage": try PeerBenchmark.loadAverage(),
            "commit": commit ?? "", "date": formatter.string(from: Date()),
        ]
    }
}
