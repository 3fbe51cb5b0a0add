import ArgumentParser
import CameraDrivers
import Foundation
import HAL
import HALLinux
import JPEG
import Node
import Recorder
import Synchronization
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// `vigil-bench serial-under-load`: a camera pipeline at full line rate with the CPU busy.
struct SerialUnderLoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serial-under-load",
        abstract: "Frames from an emulated camera on a pty with CPU hogs beside the pipeline: bytes lost, per-frame latency.",
        discussion: """
            Starts 'vigil emulate' (a separate process, next to vigil-bench unless --vigil says \
            otherwise) and reads FRAMES frames from it over the pty through the termios port and \
            the camera driver, as 'vigil record' does: each frame is checked by decoding it and \
            analysed for motion (one decode), in a pipeline that runs on a thread of its own \
            (--executor thread, as the recorder on real hardware) or on Swift's cooperative pool \
            (--executor pool, as before). Beside it run --hogs busy processes and --pool-hogs \
            tasks that spin on the cooperative pool (each holds one of its threads). A frame is \
            lost if it needed a retry (a package asked for again) or failed its checks. Latency \
            is the transfer time of a frame (request to last byte) and what it took beyond the \
            frame's own wire time.
            """)

    enum Placement: String, ExpressibleByArgument { case thread, pool }

    @Option(help: "The camera model 'vigil emulate' plays: ucam3, ov528 or vc0706.")
    var camera = "ucam3"
    @Option(help: "The baud rate of the link.")
    var baud = 921600
    @Option(help: "How many frames to read.")
    var frames = 30
    @Option(help: "Busy processes beside the pipeline.")
    var hogs = 2
    @Option(help: "Tasks spinning on Swift's cooperative pool beside the pipeline.")
    var poolHogs = 0
    @Option(help: "The longest a pool hog spins, in seconds (a starved pipeline gets the pool back then).")
    var poolHogSeconds = 30
    @Option(help: "Where the pipeline runs: thread (its own) or pool (Swift's cooperative pool).")
    var executor: Placement = .thread
    @Option(help: "The vigil binary that plays the camera (default: next to vigil-bench).")
    var vigil: String?

    struct Result: Encodable {
        var camera: String
        var baud: Int
        var executor: String
        var hogProcesses: Int
        var poolHogs: Int
        var frames: Int
        var bytes: Int
        var framesLost: Int
        var retries: Int
        var errors: [String]
        var lineRateFraction: Double
        var transferMilliseconds: Distribution
        var beyondWireMilliseconds: Distribution
        var decodesPerFrame: Double
        var pipelineCPUSecondsPer1000Frames: Double
        var loadAverage: Double
    }

    func run() async throws {
        guard frames > 0, hogs >= 0, poolHogs >= 0 else { throw ValidationError("--frames must be positive, --hogs and --pool-hogs not negative") }
        let binary = vigil ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vigil").path
        let (emulator, path) = try startEmulator(binary)
        var hogProcesses: [Process] = []
        defer {
            for process in hogProcesses + [emulator] where process.isRunning { process.terminate() }
        }
        for _ in 0..<hogs {
            let hog = Process()
            hog.executableURL = URL(fileURLWithPath: "/bin/sh")
            hog.arguments = ["-c", "while :; do :; done"]
            try hog.run()
            hogProcesses.append(hog)
        }
        // The measuring task has a thread of its own too: the pool hogs may hold every pool thread.
        let main = try ThreadExecutor(target: "serial-under-load")
        let stop = StopFlag()
        let (seconds, placement, command) = (poolHogSeconds, executor, Measurement(camera: camera, baud: baud, frames: frames))
        let result = try await withTaskExecutorPreference(main) {
            try await withThrowingTaskGroup(of: Result?.self) { group in
                for _ in 0..<poolHogs {
                    group.addTask(executorPreference: globalConcurrentExecutor) {
                        let end = SystemClock().now.advanced(by: .seconds(seconds))
                        while !stop.isSet && SystemClock().now < end {}
                        return nil
                    }
                }
                group.addTask {
                    defer { stop.set() }
                    let pipeline: any TaskExecutor = placement == .thread ? try ThreadExecutor(target: "pipeline") : globalConcurrentExecutor
                    var result = try await withTaskExecutorPreference(pipeline) { try await command.run(path) }
                    result.executor = placement.rawValue
                    return result
                }
                var result: Result?
                for try await value in group { if let value { result = value } }
                return result
            }
        }
        guard var result else { throw ValidationError("no result") }
        result.hogProcesses = hogs
        result.poolHogs = poolHogs
        try printJSON(result)
    }

    private func startEmulator(_ binary: String) throws -> (Process, String) {
        let emulator = Process()
        emulator.executableURL = URL(fileURLWithPath: binary)
        emulator.arguments = ["emulate", "--camera", camera, "--count", "1", "--baud", String(camera == "vc0706" ? 38400 : baud), "--json"]
        let output = Pipe()
        emulator.standardOutput = output
        try emulator.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let piece = output.fileHandleForReading.availableData
            if piece.isEmpty { throw ValidationError("vigil emulate gave no pty") }
            line += piece
        }
        let first = line.prefix { $0 != UInt8(ascii: "\n") }
        guard let object = try JSONSerialization.jsonObject(with: first) as? [String: Any], let path = object["path"] as? String else {
            throw ValidationError("vigil emulate printed no path")
        }
        return (emulator, path)
    }

    /// Set once by the pipeline when it is done; the pool hogs stop then.
    final class StopFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        func set() { flag.store(true, ordering: .relaxed) }
        var isSet: Bool { flag.load(ordering: .relaxed) }
    }

    /// The pipeline's part: connect, then read, check and analyse the frames.
    struct Measurement: Sendable {
        let camera: String
        let baud: Int
        let frames: Int

        func run(_ path: String) async throws -> Result {
            let start = camera == "vc0706" ? 38400 : baud
            let port = try await LinuxSerial().open(path, configuration: SerialConfiguration(baudRate: start))
            var detector = try MotionDetector()
            let decoder = detector.decoder
            let validator: @Sendable ([UInt8]) -> Bool = { (try? decoder.decode($0)) != nil }
            let driver: any Camera
            if camera == "vc0706" {
                var options = VC0706Camera<AnySerialPort>.Options()
                options.frameValidator = validator
                options.preferredBauds = [baud]
                driver = VC0706Camera(port: AnySerialPort(port), options: options)
            } else {
                var options = OV528Camera<AnySerialPort>.Options()
                options.frameValidator = validator
                options.probeBauds = [baud]
                options.preferredBauds = []
                driver = OV528Camera(port: AnySerialPort(port), options: options)
            }
            do {
                let result = try await measure(driver, port: port, detector: &detector)
                await port.close()
                return result
            } catch {
                await port.close()
                throw error
            }
        }

        private func measure(_ driver: any Camera, port: any SerialPort, detector: inout MotionDetector) async throws -> Result {
            _ = try await driver.connect()
            var transfers: [Double] = [], beyond: [Double] = []
            var bytes = 0, lost = 0, retries = 0, wire = 0.0, transfer = 0.0
            var errors: [String] = []
            let cpuBefore = processCPUSeconds()
            while transfers.count + errors.count < frames {
                do throws(CameraError) {
                    let frame = try await driver.snapshot(progress: nil)
                    _ = try? detector.analyse(jpeg: frame.jpeg)
                    let frameWire = port.configuration.wireTime(forBytes: frame.jpeg.count).seconds
                    transfers.append(frame.transferTime.seconds * 1000)
                    beyond.append((frame.transferTime.seconds - frameWire) * 1000)
                    wire += frameWire
                    transfer += frame.transferTime.seconds
                    bytes += frame.jpeg.count
                    retries += frame.retries
                    if frame.retries > 0 { lost += 1 }
                } catch {
                    errors.append("\(error)")
                    lost += 1
                    if errors.count > 5 { break }
                }
            }
            let cpu = processCPUSeconds() - cpuBefore
            return Result(
                camera: camera, baud: port.configuration.baudRate, executor: "", hogProcesses: 0, poolHogs: 0,
                frames: transfers.count, bytes: bytes, framesLost: lost, retries: retries, errors: errors,
                lineRateFraction: transfer > 0 ? wire / transfer : 0, transferMilliseconds: Distribution(transfers),
                beyondWireMilliseconds: Distribution(beyond),
                decodesPerFrame: transfers.isEmpty ? 0 : Double(detector.decoder.decodeCount) / Double(transfers.count),
                pipelineCPUSecondsPer1000Frames: transfers.isEmpty ? 0 : cpu / Double(transfers.count) * 1000,
                loadAverage: loadAverage())
        }

        /// The whole process's CPU time (user + system), in seconds.
        private func processCPUSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }

        private func loadAverage() -> Double {
            var loads = [Double](repeating: 0, count: 3)
            return getloadavg(&loads, 3) > 0 ? loads[0] : 0
        }
    }
}
