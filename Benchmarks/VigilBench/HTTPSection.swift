import ArgumentParser
import Foundation

/// `vigil-bench http` (`Tools/bench --only http`): the HTTP interface of `vigil record` under 50
/// live MJPEG viewers, and `/api/v1/status` requests a second with `wrk`.
struct HTTPSection: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "vigil record's HTTP interface: 50 live MJPEG viewers over loopback, and /api/v1/status with wrk.",
        discussion: """
            vigil record on the simulated board (VC0706 320x240, paced 4x): frames each of 50 \
            viewers received against frames captured, the CPU and RSS the server adds over the \
            same window without viewers, and `/api/v1/status` requests a second with `wrk` (2 \
            threads, 16 connections, 10 s).
            """)

    @OptionGroup var common: SectionOptions

    static let viewers = 50

    struct Window: Codable {
        var cpuPercent: Double
        var rssMB: Double
        var framesCaptured: Int
        var seconds: Double
    }

    struct Wrk: Codable {
        var skipped: String?
        var threads = 2
        var connections = 16
        var seconds = 10
        var requestsPerSecond: Double?
        var latencyMilliseconds50: Double?
        var latencyMilliseconds99: Double?
        var non2xx = 0
    }

    struct Fraction: Codable {
        var min: Double
        var mean: Double
    }

    struct Figures: Codable {
        var viewers: Int
        var windowSeconds: Double
        var alone: Window
        var watched: Window
        var framesReceived: Summary?
        var receivedFraction: Fraction
        var cpuPercentAdded: Double
        var rssMBAdded: Double
        var viewerErrors: [String]
        var wrk: Wrk
    }

    private struct Status: Decodable {
        struct Camera: Decodable { var frames: Int }
        var cameras: [Camera]
    }

    func measure(in workspace: Workspace) async throws -> Figures {
        let window = common.quick ? 15.0 : 30.0
        let port = try freeLoopbackPort()
        let storage = workspace.path("http-storage")
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        // Room for every viewer (the default is 20) and for wrk's connections.
        let configuration = try workspace.write(
            "http:\n  listen: 127.0.0.1:\(port)\n  max-viewers: \(Self.viewers)\n  max-connections: \(Self.viewers + 32)\n", to: "http.yaml")
        let recorder = try ChildProcess(
            workspace.vigil,
            ["record", "--board", "sim", "--speed", "4", "--size", "320x240", "--storage", storage, "--config", configuration, "--json"],
            name: "http-record", folder: workspace.folder)
        defer { recorder.stop(timeout: .seconds(30)) }
        try await waitUntil("vigil record's HTTP interface answered with a frame", within: .seconds(60), process: recorder) {
            ((try? Self.framesCaptured(port: port)) ?? 0) > 0
        }
        try await Task.sleep(for: .seconds(2))
        // The same window without viewers, then with them.
        let alone = try await measureWindow(recorder, port: port, seconds: window)
        let viewers = (0..<Self.viewers).map { _ in MJPEGViewer(port: port, path: "/cameras/camera/stream.mjpg") }
        try await Task.sleep(for: .seconds(2))
        let before = viewers.map(\.frames)
        let watched = try await measureWindow(recorder, port: port, seconds: window)
        let received = zip(viewers, before).map { $0.frames - $1 }
        for viewer in viewers { viewer.stop() }
        let failures = viewers.compactMap(\.error)
        let wrk = try runWrk(port: port, in: workspace)
        let captured = Double(watched.framesCaptured)
        return Figures(
            viewers: Self.viewers, windowSeconds: window, alone: alone, watched: watched,
            framesReceived: received.isEmpty ? nil : Summary(received.map { Double($0) }),
            receivedFraction: Fraction(
                min: captured > 0 ? Double(received.min() ?? 0) / captured : 0,
                mean: captured > 0 ? Double(received.reduce(0, +)) / Double(max(1, received.count)) / captured : 0),
            cpuPercentAdded: watched.cpuPercent - alone.cpuPercent, rssMBAdded: watched.rssMB - alone.rssMB,
            viewerErrors: Array(failures.prefix(5)), wrk: wrk)
    }

    private static func framesCaptured(port: Int) throws -> Int {
        let status = try JSONDecoder().decode(Status.self, from: LoopbackHTTP.get(port: port, path: "/api/v1/status"))
        guard let camera = status.cameras.first else { throw ChildProcess.Failure(description: "/api/v1/status has no camera") }
        return camera.frames
    }

    /// CPU share of a core, RSS and frames captured by the recorder over `seconds`.
    private func measureWindow(_ recorder: ChildProcess, port: Int, seconds: Double) async throws -> Window {
        let framesBefore = try Self.framesCaptured(port: port)
        let before = try ProcessFigures.read(pid: recorder.pid)
        let clock = ContinuousClock()
        let started = clock.now
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        let elapsed = (clock.now - started).seconds
        let after = try ProcessFigures.read(pid: recorder.pid)
        let frames = try Self.framesCaptured(port: port) - framesBefore
        return Window(
            cpuPercent: Double(after.cpuTicks - before.cpuTicks) / ProcessFigures.ticksPerSecond / elapsed * 100,
            rssMB: Double(after.vmRSS) / 1024, framesCaptured: frames, seconds: (elapsed * 10).rounded() / 10)
    }

    private func runWrk(port: Int, in workspace: Workspace) throws -> Wrk {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return Wrk(skipped: "wrk is missing: run Tools/setup")
        }
        let output = try ChildProcess(wrk, ["-t2", "-c16", "-d10s", "--latency", "http://127.0.0.1:\(port)/api/v1/status"], name: "wrk", folder: workspace.folder)
            .output(within: .seconds(60))
        var figures = Wrk()
        guard let requests = Self.firstMatch(#"Requests/sec:\s+([\d.]+)"#, in: output).flatMap(Double.init) else {
            throw ChildProcess.Failure(description: "wrk printed no requests/s: \(output.suffix(400))")
        }
        figures.requestsPerSecond = requests
        for percentile in ["50", "99"] {
            guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(percentile + "%") }),
                let text = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            else { continue }
            let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000)]
            guard let (suffix, scale) = units.first(where: { text.hasSuffix($0.0) }), let value = Double(text.dropLast(suffix.count)) else { continue }
            if percentile == "50" { figures.latencyMilliseconds50 = value * scale } else { figures.latencyMilliseconds99 = value * scale }
        }
        figures.non2xx = Self.firstMatch(#"Non-2xx or 3xx responses:\s+(\d+)"#, in: output).flatMap { Int($0) } ?? 0
        return figures
    }

    /// The first capture group of `pattern`'s first match in `text`.
    private static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), match.numberOfRanges > 1,
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    func table(_ figures: Figures) -> String {
        func line(_ label: String, _ value: String) -> String { tableRow([label, value], [58, 0]) }
        var lines = [
            "", "HTTP: vigil record on the simulated board (VC0706 320x240, paced 4x), \(Int(figures.windowSeconds)) s windows",
            line("\(figures.viewers) live MJPEG viewers: frames received / captured, mean (worst)", String(
                format: "%.2f (%.2f) of %d", figures.receivedFraction.mean, figures.receivedFraction.min, figures.watched.framesCaptured)),
            line("CPU without / with viewers, % of a core", String(format: "%.1f / %.1f", figures.alone.cpuPercent, figures.watched.cpuPercent)),
            line("RSS without / with viewers, MB", String(format: "%.1f / %.1f", figures.alone.rssMB, figures.watched.rssMB)),
        ]
        if let requests = figures.wrk.requestsPerSecond {
            lines.append(line("/api/v1/status requests a second (wrk -t2 -c16)", String(
                format: "%.0f (p50 %.2f ms, p99 %.2f ms)", requests, figures.wrk.latencyMilliseconds50 ?? 0, figures.wrk.latencyMilliseconds99 ?? 0)))
        } else {
            lines.append("wrk: \(figures.wrk.skipped ?? "")")
        }
        if !figures.viewerErrors.isEmpty { lines.append("viewer errors: " + figures.viewerErrors.joined(separator: "; ")) }
        return lines.joined(separator: "\n")
    }
}
