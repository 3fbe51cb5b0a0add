import ArgumentParser
import Foundation
import HAL

/// `vigil-bench recorder` (`Tools/bench --only recorder`): peak RSS and CPU of `vigil record` on
/// the Linux backend recording 1 and 4 emulated cameras over ptys, and how long `vigil status`
/// takes to answer meanwhile.
struct RecorderSection: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "recorder",
        abstract: "Peak RSS and CPU of vigil record with 1 and 4 emulated VC0706 (320x240, 115200) on ptys; vigil status's answer time.")

    @OptionGroup var common: SectionOptions

    static let rssPerCameraMB = 24.0
    static let cpuPerCameraPercent = 5.0
    static let statusMilliseconds = 100.0

    struct Run: Codable {
        var cameras: Int
        var windowSeconds: Double
        var peakRSSMB: Double
        var anonymousRSSMB: Double
        var proportionalSetMB: Double
        var peakRSSMBPerCamera: Double
        var cpuPercent: Double
        var cpuPercentPerCamera: Double
        var framesPerSecond: [Double]
        var baud: [Int?]
        var statusCommandMilliseconds: Summary
        var statusSocketMilliseconds: Summary
    }

    func measure(in workspace: Workspace) async throws -> [Run] {
        var runs: [Run] = []
        for count in [1, 4] {
            runs.append(try await run(cameras: count, window: common.quick ? 15 : 60, in: workspace))
        }
        return runs
    }

    private func run(cameras count: Int, window: Double, in workspace: Workspace) async throws -> Run {
        let (emulator, paths) = try await workspace.emulator("vc0706", count: count, baud: 115200, size: "320x240", name: "emulate-\(count)")
        defer { emulator.stop() }
        let storage = workspace.path("storage-\(count)")
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        var text = "cameras:\n"
        for (index, path) in paths.enumerated() {
            text += "  - { name: cam\(index), port: \(path), model: vc0706, baud: 115200, max-baud: 115200, size: 320x240 }\n"
        }
        text += "triggers:\n  pir: false\n  tamper: false\n"
        let configuration = try workspace.write(text, to: "record-\(count).yaml")
        let recorder = try ChildProcess(
            workspace.vigil, ["record", "--board", try workspace.benchBoard(), "--config", configuration, "--storage", storage, "--json", "--http", "off"],
            name: "record-\(count)", folder: workspace.folder)
        defer { recorder.stop(timeout: .seconds(30)) }
        try await waitUntil("vigil record captured from all \(count) cameras", within: .seconds(60), process: recorder) {
            guard let status = try? recorderStatus(storage: storage) else { return false }
            return status.cameras.count == count && status.cameras.allSatisfy { $0.frames > 0 }
        }
        let clock = ContinuousClock()
        let before = try ProcessFigures.read(pid: recorder.pid)
        let started = clock.now
        var commandTimes: [Double] = []
        var socketTimes: [Double] = []
        var status = try recorderStatus(storage: storage)
        let samples = 20
        for _ in 0..<samples {
            try await Task.sleep(for: .milliseconds(Int(window * 1000) / samples))
            var begun = clock.now
            _ = try ChildProcess(workspace.vigil, ["status", "--json", "--storage", storage], name: "status", folder: workspace.folder)
                .output(within: .seconds(30))
            commandTimes.append((clock.now - begun).seconds * 1000)
            begun = clock.now
            status = try recorderStatus(storage: storage)
            socketTimes.append((clock.now - begun).seconds * 1000)
        }
        let elapsed = (clock.now - started).seconds
        let after = try ProcessFigures.read(pid: recorder.pid)
        let cpu = Double(after.cpuTicks - before.cpuTicks) / ProcessFigures.ticksPerSecond / elapsed
        let peak = Double(after.vmHWM) / 1024
        return Run(
            cameras: count, windowSeconds: (elapsed * 10).rounded() / 10, peakRSSMB: peak, anonymousRSSMB: Double(after.rssAnon) / 1024,
            proportionalSetMB: Double(after.pss) / 1024, peakRSSMBPerCamera: peak / Double(count), cpuPercent: cpu * 100,
            cpuPercentPerCamera: cpu * 100 / Double(count), framesPerSecond: status.cameras.map { ($0.framesPerSecond * 100).rounded() / 100 },
            baud: status.cameras.map(\.baud), statusCommandMilliseconds: Summary(commandTimes), statusSocketMilliseconds: Summary(socketTimes))
    }

    func table(_ runs: [Run]) -> String {
        let widths = [7, 12, 10, 8, 10, 10, 18]
        var lines = [
            "", "Recorder: vigil record on the Linux backend, VC0706 320x240 at 115200 over ptys, motion detection on",
            tableRow(["cameras", "peak RSS MB", "anon MB", "PSS MB", "CPU %", "frames/s", "status ms cmd/sock"], widths, leftAligned: 0),
        ]
        for run in runs {
            lines.append(tableRow([
                "\(run.cameras)", formatted(run.peakRSSMB, "%.1f"), formatted(run.anonymousRSSMB, "%.1f"), formatted(run.proportionalSetMB, "%.1f"),
                formatted(run.cpuPercent, "%.1f"), formatted(run.framesPerSecond.reduce(0, +) / Double(max(1, run.framesPerSecond.count)), "%.2f"),
                String(format: "%.0f / %.1f", run.statusCommandMilliseconds.median, run.statusSocketMilliseconds.median),
            ], widths, leftAligned: 0))
        }
        for run in runs {
            lines.append(verdict("recorder, \(run.cameras) camera(s): peak RSS per camera, MB", formatted(run.peakRSSMBPerCamera, "%.1f"),
                                 target: "<= \(Int(Self.rssPerCameraMB))", met: run.peakRSSMBPerCamera <= Self.rssPerCameraMB))
            lines.append(verdict("recorder, \(run.cameras) camera(s): CPU per camera, % of a core", formatted(run.cpuPercentPerCamera, "%.2f"),
                                 target: "<= \(Int(Self.cpuPerCameraPercent))", met: run.cpuPercentPerCamera <= Self.cpuPerCameraPercent))
            lines.append(verdict("vigil status while recording \(run.cameras) camera(s), median ms", formatted(run.statusCommandMilliseconds.median, "%.0f"),
                                 target: "< \(Int(Self.statusMilliseconds))", met: run.statusCommandMilliseconds.median < Self.statusMilliseconds))
        }
        return lines.joined(separator: "\n")
    }
}
