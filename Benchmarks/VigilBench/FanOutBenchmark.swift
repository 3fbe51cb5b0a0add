import ArgumentParser
import Foundation
import HAL
import Logging
import Node
import Recorder

#if canImport(Glibc)
import Glibc
#endif

/// `vigil-bench fanout` (`Tools/bench --only fanout`; also `fan-out`): what frame subscribers cost a node.
struct FanOutBenchmark: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Frames captured per second, CPU and RSS of a simulated node with 0, 10 and 100 frame subscribers.",
        discussion: """
            Runs the simulated board's node (VC0706 at 320x240, PIR, software motion detection) \
            for the given virtual time as fast as the machine goes, once per subscriber count, \
            each subscriber a task reading every frame it is given (as a live viewer does). \
            Frames captured are counted in virtual time (they must not change with the \
            subscribers) and per wall-clock second of the run (the CPU the subscribers cost).
            """,
        aliases: ["fan-out"])

    @Option(help: "Virtual seconds each run records; default 1200, 300 with --quick.")
    var seconds: Int?

    @OptionGroup var common: SectionOptions

    @Option(parsing: .upToNextOption, help: "The subscriber counts to try.")
    var subscribers = [0, 10, 100]

    struct Run: Encodable {
        var subscribers: Int
        var framesCaptured: Int
        var framesDelivered: Int
        var framesDropped: Int
        var wallSeconds: Double
        var cpuSeconds: Double
        var framesPerWallSecond: Double
        var framesPerVirtualSecond: Double
        var rssMB: Double
        var peakRSSMB: Double
    }

    struct Figures: Encodable {
        var virtualSeconds: Int
        var runs: [Run]
    }

    func measure(in workspace: Workspace) async throws -> Figures {
        let seconds = seconds ?? (common.quick ? 300 : 1200)
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        var runs: [Run] = []
        for count in subscribers {
            runs.append(try await measure(subscribers: count, seconds: seconds))
        }
        return Figures(virtualSeconds: seconds, runs: runs)
    }

    func table(_ figures: Figures) -> String {
        let widths = [11, 9, 11, 13, 10, 8, 8]
        var lines = [
            "", "Frame fan-out: the simulated node (VC0706 320x240) for \(figures.virtualSeconds) virtual s, each subscriber reading every frame",
            tableRow(["subscribers", "captured", "delivered", "frames/wall s", "CPU s", "RSS MB", "peak MB"], widths, leftAligned: 0),
        ]
        for run in figures.runs {
            lines.append(tableRow([
                "\(run.subscribers)", "\(run.framesCaptured)", "\(run.framesDelivered)", formatted(run.framesPerWallSecond, "%.0f"),
                formatted(run.cpuSeconds, "%.2f"), formatted(run.rssMB, "%.1f"), formatted(run.peakRSSMB, "%.1f"),
            ], widths, leftAligned: 0))
        }
        return lines.joined(separator: "\n")
    }

    private func measure(subscribers count: Int, seconds: Int) async throws -> Run {
        let storage = NSTemporaryDirectory() + "vigil-bench-fanout-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }
        var configuration = NodeConfiguration()
        configuration.storage = storage
        var options = CameraNode.Options()
        options.controlSocket = false
        options.systemd = false
        var logger = Logger(label: "bench.fan-out")
        logger.logLevel = .critical
        let node = try CameraNode(
            configuration: configuration, hardware: try NodeHardware(board: "sim", speed: nil), logger: logger, options: options)
        let readers = try (0..<count).map { _ in
            let frames = try node.frames(camera: "camera")
            return Task {
                var read = 0
                for await _ in frames { read += 1 }
                return read
            }
        }
        let cpuBefore = Self.cpuSeconds()
        let started = ContinuousClock.now
        try await node.run(for: .seconds(seconds))
        let wall = (ContinuousClock.now - started).seconds
        let cpu = Self.cpuSeconds() - cpuBefore
        var delivered = 0
        for reader in readers { delivered += await reader.value }
        let captured = node.status.cameras.first?.frames ?? 0
        let memory = Self.memory()
        return Run(
            subscribers: count, framesCaptured: captured, framesDelivered: delivered, framesDropped: node.droppedByReaders.frames,
            wallSeconds: wall, cpuSeconds: cpu, framesPerWallSecond: Double(captured) / wall,
            framesPerVirtualSecond: Double(captured) / Double(seconds), rssMB: memory.rss, peakRSSMB: memory.peak)
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// VmRSS and VmHWM from /proc/self/status, in MB.
    private static func memory() -> (rss: Double, peak: Double) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }
}
