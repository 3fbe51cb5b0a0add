import ArgumentParser
import Foundation
import HAL
import Node
import Scenes
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `vigil-bench peer` (`Tools/bench --only peer`): Debian's `motion` beside `vigil record` on the
/// same frames, in one run per camera model.
struct PeerBenchmark: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "motion and vigil record side by side on the same frames: frames/s, CPU s per 1,000 frames, memory.",
        discussion: """
            For each camera (VC0706 at 115200 baud, uCAM-III at 921600, both 640x480): `vigil \
            emulate` serves the camera on a pty and `vigil record` (motion detection and movies \
            on, HTTP off) records from it; `motion` reads the same scene, at the same size, as \
            MJPEG over HTTP from a loopback server here, which sends it one frame for each frame \
            vigil captures (so both see the same frame rate), with movie passthrough and motion \
            detection on. Every 5 s for --seconds each process's CPU (utime + stime of it and \
            its children, /proc/PID/stat), VmRSS and VmHWM (/proc/PID/status), PSS \
            (/proc/PID/smaps_rollup) and RssAnon are read; figures are over the window after a \
            warm-up, memory at its end. The emulator is a process of its own, not counted. \
            Motion is paced by the frames the emulator begins to serve (from its --trace), so \
            that the recorder is asked for its frame count only at the window's start and end.

            For uCAM-III a third row, "minimal host", is the protocol's floor on this machine: \
            `vigil-bench ucam3-floor-host` against an emulator of its own for the same window, \
            a host that does nothing but ask for each package, sleep until it is due and read \
            it (getrusage). No recorder can spend less CPU a frame over this pty.
            """)

    @OptionGroup var common: SectionOptions

    @Option(help: "Seconds each camera's run is measured (after the warm-up); default 60, 20 with --quick.")
    var seconds: Int?

    @Option(help: "Seconds both run before the measuring starts.")
    var warmUp = 15

    @Option(help: "Which cameras: vc0706 (115200 baud), ucam3 (921600), comma-separated.")
    var cameras = "vc0706,ucam3"

    @Option(help: "The motion executable.")
    var motion = "/usr/bin/motion"

    /// One camera's run: what each program did over the window.
    struct Run: Encodable {
        var camera: String
        var baud: Int
        var size: String
        var windowSeconds: Double
        var samples: Int
        var vigil: Program
        var motion: Program
        /// vigil / motion for each figure.
        var ratio: Ratio
        var motionFrameRate: Int
        /// Connections motion made to the loopback server (it opens the stream to probe it, then
        /// again to read it, and again after a reconnect), and the last error serving one.
        var motionConnections: Int
        var serverError: String?
        /// uCAM-III only: a minimal host's figures on the same protocol (`ucam3-floor-host`),
        /// after the other two, against an emulator of its own.
        var floor: ProtocolFloorHost.Figures? = nil
        /// The floor's CPU a frame over motion's: below it no host's ratio can go on this machine.
        var floorRatio: Double? = nil
    }

    struct Program: Encodable {
        var frames: Int
        var framesPerSecond: Double
        var cpuSeconds: Double
        var cpuSecondsPer1000Frames: Double?
        var vmRSSMB: Double
        var vmHWMMB: Double
        var pssMB: Double
        var rssAnonMB: Double
        var movies: Int
    }

    struct Ratio: Encodable {
        var framesPerSecond: Double?
        var cpuSecondsPer1000Frames: Double?
        var vmRSS: Double
        var vmHWM: Double
        var pss: Double
        var rssAnon: Double
    }

    struct Figures: Encodable {
        var motionVersion: String
        var sampleSeconds: Int
        var warmUpSeconds: Int
        var loadAverage: [Double]
        var runs: [Run]
    }

    /// The cameras the section knows: model, baud, size.
    static let setups: [String: (baud: Int, size: String)] = ["vc0706": (115200, "640x480"), "ucam3": (921600, "640x480")]

    func validate() throws {
        for camera in cameras.split(separator: ",") where Self.setups[String(camera)] == nil {
            throw ValidationError("--cameras: '\(camera)' is not one of \(Self.setups.keys.sorted().joined(separator: ", "))")
        }
        if let seconds, !(5...600).contains(seconds) { throw ValidationError("--seconds must be 5 to 600") }
        guard (0...300).contains(warmUp) else { throw ValidationError("--warm-up must be 0 to 300") }
    }

    func measure(in workspace: Workspace) async throws -> Figures {
        guard FileManager.default.isExecutableFile(atPath: motion) else {
            throw ChildProcess.Failure(description: "no \(motion): Tools/setup installs Debian's motion")
        }
        let window = seconds ?? (common.quick ? 20 : 60)
        var runs: [Run] = []
        for camera in cameras.split(separator: ",").map(String.init) {
            guard let setup = Self.setups[camera] else { continue }
            var run = try await run(camera: camera, baud: setup.baud, size: setup.size, window: window, in: workspace)
            if camera == "ucam3" {
                let floor = try await floor(baud: setup.baud, size: setup.size, window: window, in: workspace)
                run.floor = floor
                run.floorRatio = run.motion.cpuSecondsPer1000Frames.flatMap { Self.ratio(floor.cpuSecondsPer1000Frames, $0) }
            }
            runs.append(run)
        }
        return Figures(motionVersion: try motionVersion(in: workspace), sampleSeconds: 5, warmUpSeconds: warmUp, loadAverage: try Self.loadAverage(), runs: runs)
    }

    private func run(camera: String, baud: Int, size: String, window: Int, in workspace: Workspace) async throws -> Run {
        let dimensions = size.split(separator: "x").compactMap { Int($0) }
        guard dimensions.count == 2 else { throw ValidationError("size \(size)") }
        let tag = "\(camera)-\(baud)"
        // The emulator's scene is 'street' with seed 1 by default, as the server's below.
        // Traced, so that motion is paced by the frames the emulator begins to serve rather than
        // by asking the recorder four times a second (a status request costs it about half a
        // millisecond, as much as a frame, and motion is asked nothing). The window's frames
        // are the recorder's own count, asked at its start and end only.
        let (emulator, ports) = try await workspace.emulator(camera, baud: baud, size: size, trace: true, name: "emulate-\(tag)")
        defer { emulator.stop() }
        let link = ports[0]
        let served = ServedFrames(trace: emulator.errorPath, marker: camera == "vc0706" ? "bytes of frame data from 0" : "<- GET PICTURE")

        let storage = workspace.path("storage-\(tag)")
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        let configuration = try workspace.write(
            """
            cameras:
              - { name: camera, port: \(link), model: \(camera), baud: \(baud), max-baud: \(baud), size: \(size) }
            triggers:
              pir: false
              tamper: false
              motion:
                enabled: true

            """, to: "record-\(tag).yaml")
        let recorder = try ChildProcess(
            workspace.vigil, ["record", "--board", try workspace.benchBoard(), "--config", configuration, "--storage", storage, "--json", "--http", "off"],
            name: "record-\(tag)", folder: workspace.folder)
        defer { recorder.stop(timeout: .seconds(30)) }
        try await waitUntil("vigil record captured a frame", within: .seconds(120), process: recorder) {
            ((try? Self.vigilFrames(storage)) ?? 0) > 0
        }

        // motion's frame rate: its main loop runs at this rate whatever the stream brings; the
        // line rate over a frame's bytes bounds the stream's.
        let scene = try SceneCatalog.scene(named: "street", seed: 1)
        let frameBytes = try scene.frame(at: MonotonicInstant(nanoseconds: 0), width: dimensions[0], height: dimensions[1], quality: 75).jpeg.count
        let motionFrameRate = max(2, Int((Double(baud) / 10 / Double(max(1, frameBytes))).rounded(.up)))
        let server = try MJPEGServer(scene: scene, width: dimensions[0], height: dimensions[1], quality: 75)
        defer { server.stop() }
        let movies = workspace.path("motion-\(tag)")
        try FileManager.default.createDirectory(atPath: movies, withIntermediateDirectories: true)
        let motionConfiguration = try workspace.write(
            """
            daemon off
            setup_mode off
            log_file \(workspace.path("motion-\(tag).log"))
            log_level 6
            pid_file \(workspace.path("motion-\(tag).pid"))
            target_dir \(movies)
            netcam_url http://127.0.0.1:\(server.port)/stream.mjpg
            netcam_params probesize=65536
            width \(dimensions[0])
            height \(dimensions[1])
            framerate \(motionFrameRate)
            emulate_motion off
            picture_output off
            movie_output on
            movie_passthrough on
            movie_codec mkv
            webcontrol_port 0
            stream_port 0

            """, to: "motion-\(tag).conf")
        // Frames go to motion as vigil captures them; the first few at once, as ffmpeg probes
        // the stream before motion starts (probesize: on two frames, not ffmpeg's 5 MB of them).
        let vigilAtStart = try served.count()
        server.allow(upTo: 3)
        let peer = try ChildProcess(motion, ["-n", "-c", motionConfiguration], name: "motion-\(tag)", folder: workspace.folder)
        defer { peer.stop() }

        let pacing = Task {
            while !Task.isCancelled {
                if let frames = try? served.count() { server.allow(upTo: 3 + frames - vigilAtStart) }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        defer { pacing.cancel() }

        try await Task.sleep(for: .seconds(warmUp))
        guard peer.isRunning else { throw ChildProcess.Failure(description: "motion exited: \(peer.errorTail())") }
        guard recorder.isRunning else { throw ChildProcess.Failure(description: "vigil record exited: \(recorder.errorTail())") }
        let clock = ContinuousClock()
        let started = clock.now
        let vigilBefore = try ProcessFigures.read(pid: recorder.pid)
        let motionBefore = try ProcessFigures.read(pid: peer.pid)
        let vigilFramesBefore = try Self.vigilFrames(storage)
        let motionFramesBefore = server.figures.sent
        var vigilLast = vigilBefore
        var motionLast = motionBefore
        var samples = 0
        while clock.now - started < .seconds(window) {
            try await Task.sleep(for: min(.seconds(5), .seconds(window) - (clock.now - started)))
            guard peer.isRunning else { throw ChildProcess.Failure(description: "motion exited: \(peer.errorTail())") }
            guard recorder.isRunning else { throw ChildProcess.Failure(description: "vigil record exited: \(recorder.errorTail())") }
            vigilLast = try ProcessFigures.read(pid: recorder.pid)
            motionLast = try ProcessFigures.read(pid: peer.pid)
            samples += 1
        }
        let elapsed = (clock.now - started).seconds
        let vigilFrames = try Self.vigilFrames(storage) - vigilFramesBefore
        let motionFrames = server.figures.sent - motionFramesBefore
        pacing.cancel()
        let vigil = Self.program(frames: vigilFrames, seconds: elapsed, before: vigilBefore, after: vigilLast, movies: Self.movies(in: storage))
        let peerFigures = Self.program(frames: motionFrames, seconds: elapsed, before: motionBefore, after: motionLast, movies: Self.movies(in: movies))
        return Run(
            camera: camera, baud: baud, size: size, windowSeconds: elapsed, samples: samples, vigil: vigil, motion: peerFigures,
            ratio: Ratio(
                framesPerSecond: Self.ratio(vigil.framesPerSecond, peerFigures.framesPerSecond),
                cpuSecondsPer1000Frames: vigil.cpuSecondsPer1000Frames.flatMap { a in peerFigures.cpuSecondsPer1000Frames.flatMap { Self.ratio(a, $0) } },
                vmRSS: vigil.vmRSSMB / peerFigures.vmRSSMB, vmHWM: vigil.vmHWMMB / peerFigures.vmHWMMB, pss: vigil.pssMB / peerFigures.pssMB,
                rssAnon: vigil.rssAnonMB / peerFigures.rssAnonMB),
            motionFrameRate: motionFrameRate, motionConnections: server.figures.connections, serverError: server.figures.lastError)
    }

    /// The minimal uCAM-III host's figures over `window` seconds, against an emulator of its own.
    private func floor(baud: Int, size: String, window: Int, in workspace: Workspace) async throws -> ProtocolFloorHost.Figures {
        let (emulator, ports) = try await workspace.emulator("ucam3", baud: baud, size: size, name: "emulate-floor")
        defer { emulator.stop() }
        return try workspace.runJSON(
            ProtocolFloorHost.Figures.self, workspace.binaries + "/vigil-bench",
            ["ucam3-floor-host", ports[0], "--baud", "\(baud)", "--seconds", "\(window)"],
            name: "floor-host", timeout: .seconds(window + 60))
    }

    private static func program(frames: Int, seconds: Double, before: ProcessFigures, after: ProcessFigures, movies: Int) -> Program {
        let cpu = Double(after.cpuTicks - before.cpuTicks) / ProcessFigures.ticksPerSecond
        return Program(
            frames: frames, framesPerSecond: Double(frames) / seconds, cpuSeconds: cpu,
            cpuSecondsPer1000Frames: frames > 0 ? cpu / Double(frames) * 1000 : nil,
            vmRSSMB: Double(after.vmRSS) / 1024, vmHWMMB: Double(after.vmHWM) / 1024, pssMB: Double(after.pss) / 1024,
            rssAnonMB: Double(after.rssAnon) / 1024, movies: movies)
    }

    private static func ratio(_ a: Double, _ b: Double) -> Double? { b > 0 ? a / b : nil }

    /// Movie files under `folder` (recursively): vigil's Matroska, motion's passthrough MP4.
    private static func movies(in folder: String) -> Int {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".mkv") || $0.hasSuffix(".mp4") }.count
    }

    /// Frames the running recorder has captured, from its control socket.
    static func vigilFrames(_ storage: String) throws -> Int {
        guard let camera = try recorderStatus(storage: storage).cameras.first else {
            throw ChildProcess.Failure(description: "vigil record's status has no camera")
        }
        return camera.frames
    }

    /// The 1, 5 and 15 minute load averages.
    static func loadAverage() throws -> [Double] {
        try String(contentsOfFile: "/proc/loadavg", encoding: .utf8).split(separator: " ").prefix(3).map { Double($0) ?? 0 }
    }

    private func motionVersion(in workspace: Workspace) throws -> String {
        let help = try ChildProcess(motion, ["-h"], name: "motion-version", folder: workspace.folder)
        help.stop(timeout: .seconds(10))
        let text = (try? String(contentsOfFile: help.outputPath, encoding: .utf8)) ?? ""
        guard let range = text.range(of: #"Version [0-9.]+"#, options: .regularExpression) else { return "motion" }
        return "motion " + text[range].dropFirst("Version ".count)
    }

    func table(_ figures: Figures) -> String {
        let widths = [15, 13, 9, 14, 9, 9, 8, 8, 7]
        func row(_ cells: [String]) -> String {
            zip(cells, widths).enumerated().map { index, pair in
                let padding = String(repeating: " ", count: max(0, pair.1 - pair.0.count))
                return index < 2 ? pair.0 + padding : padding + pair.0
            }.joined(separator: " ")
        }
        func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        var lines = [
            "",
            "Peer: \(figures.motionVersion) (MJPEG over HTTP from a loopback server, passthrough movies, motion detection)",
            "beside vigil record (emulator on a pty; motion detection and movies on) on the same frames, sampled every",
            "\(figures.sampleSeconds) s after \(figures.warmUpSeconds) s of warm-up; load average "
                + figures.loadAverage.map { String(format: "%.1f", $0) }.joined(separator: " "),
            row(["camera", "program", "frames/s", "CPU s/1000 fr", "VmRSS MB", "VmHWM MB", "PSS MB", "anon MB", "movies"]),
        ]
        for run in figures.runs {
            let name = "\(run.camera) \(run.baud)"
            for (label, program) in [("vigil record", run.vigil), ("motion", run.motion)] {
                lines.append(row([
                    name, label, number(program.framesPerSecond, "%.2f"), number(program.cpuSecondsPer1000Frames, "%.1f"),
                    number(program.vmRSSMB, "%.1f"), number(program.vmHWMMB, "%.1f"), number(program.pssMB, "%.1f"),
                    number(program.rssAnonMB, "%.1f"), "\(program.movies)",
                ]))
            }
            if let floor = run.floor {
                lines.append(row([
                    name, "minimal host", number(floor.framesPerSecond, "%.2f"), number(floor.cpuSecondsPer1000Frames, "%.1f"), "-", "-", "-", "-", "-",
                ]))
            }
            lines.append(row([
                name, "vigil/motion", number(run.ratio.framesPerSecond, "%.2f"), number(run.ratio.cpuSecondsPer1000Frames, "%.2f"),
                number(run.ratio.vmRSS, "%.2f"), number(run.ratio.vmHWM, "%.2f"), number(run.ratio.pss, "%.2f"),
                number(run.ratio.rssAnon, "%.2f"), "",
            ]))
        }
        for run in figures.runs {
            let ratio = run.ratio.cpuSecondsPer1000Frames
            lines.append(verdict(
                "vigil/motion CPU per frame, \(run.camera) at \(run.baud)", formatted(ratio, "%.2f"),
                target: "<= \(Self.cpuRatioTarget)", met: ratio.map { $0 <= Self.cpuRatioTarget }))
            if let floorRatio = run.floorRatio {
                lines.append(verdict(
                    "minimal host/motion CPU per frame, \(run.camera) (the protocol's floor here: no host goes lower)",
                    formatted(floorRatio, "%.2f"), target: "<= \(Self.cpuRatioTarget)", met: floorRatio <= Self.cpuRatioTarget))
            }
            lines.append(verdict(
                "VmRSS of the one-camera recorder, MB (\(run.camera); this build on this kernel: the package on Debian's is measured by Tools/virtual-board/recorder-memory)",
                formatted(run.vigil.vmRSSMB, "%.1f"),
                target: "<= \(Int(Self.rssTargetMB))", met: run.vigil.vmRSSMB <= Self.rssTargetMB))
        }
        return lines.joined(separator: "\n")
    }

    /// Issue #22's targets: the recorder's CPU per frame at most half of motion's, its VmRSS at most 20 MB.
    static let cpuRatioTarget = 0.5
    static let rssTargetMB = 20.0
}

/// The frames an emulator has begun to serve, counted from its trace (`vigil emulate --trace`):
/// the lines holding `marker`, one a frame (a transfer retried from its start counts again). The log is read from where the last count stopped.
final class ServedFrames: Sendable {
    private let trace: String
    private let marker: [UInt8]
    private let state = Mutex<(offset: UInt64, count: Int, partial: [UInt8])>((0, 0, []))

    init(trace: String, marker: String) {
        self.trace = trace
        self.marker = Array(marker.utf8)
    }

    /// The frames served so far.
    func count() throws -> Int {
        try state.withLock { state in
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: trace))
            defer { try? handle.close() }
            try handle.seek(toOffset: state.offset)
            let data = try handle.readToEnd() ?? Data()
            state.offset += UInt64(data.count)
            var lines = (state.partial + data).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            state.partial = Array(lines.removeLast())
            state.count += lines.filter { line in line.firstRange(of: marker) != nil }.count
            return state.count
        }
    }
}
