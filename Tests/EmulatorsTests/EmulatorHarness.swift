import CameraProtocols
import HAL
import HALSimulation
import Scenes

@testable import Emulators

/// A scene whose frames are fake JPEG bytes: `FF D8`, a body derived from the frame index and
/// size, `FF D9`. Fast, and enough to test transfers byte for byte.
struct PatternScene: Scene {
    var name = "pattern"
    var frameRate = 10.0
    var motion: [ClosedRange<Double>] = []

    func frame(at time: MonotonicInstant, width: Int, height: Int, quality: Int) throws -> SceneFrame {
        let index = Int(time.seconds * frameRate)
        let length = width * height / 16 + index % 7
        let body = (0..<length).map { UInt8(truncatingIfNeeded: ($0 &* 7) ^ index ^ quality) }
        return SceneFrame(index: index, time: time, jpeg: [0xFF, 0xD8] + body + [0xFF, 0xD9])
    }

    func objects(at time: MonotonicInstant) -> [SceneObject] {
        motion.contains { $0.contains(time.seconds) } ? [SceneObject(id: 1, kind: "person", x: 0.4, y: 0.4, width: 0.1, height: 0.3)] : []
    }

    func isDark(at time: MonotonicInstant) -> Bool { false }
}

/// A VC0706 emulator on a simulated link, and the host's end of it.
struct VC0706Bench {
    let clock = VirtualClock()
    let link: SimulatedSerialLink
    let camera: VC0706Emulator
    var host: SimulatedSerialPort { link.host }

    /// The link starts at 38400, the camera's power-up baud; see ``switchBaud(to:)``.
    init(scene: any Scene = PatternScene(), configuration: VC0706Emulator.Configuration = .init(), faults: FaultPlan = .none) {
        link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 38400), faults: faults, name: "sim:camera0")
        camera = VC0706Emulator(port: link.device, scene: scene, configuration: configuration)
    }

    /// Runs `body` on virtual time with the camera's firmware running, booted and quiet.
    func run<T: Sendable>(_ body: @escaping @Sendable (VC0706Bench) async throws -> T) async throws -> T {
        try await Simulation.run(clock: clock) { [self] in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { await camera.run(); return nil }
                group.addTask {
                    // Power-up banner, then a quiet line.
                    _ = try await readText(until: VC0706.bootBannerEnd)
                    return try await body(self)
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw CancellationError()
            }
        }
    }

    /// Moves camera and host to `baud` with SET_PORT.
    func switchBaud(to baud: Int) async throws {
        guard baud != host.configuration.baudRate else { return }
        _ = try await exchange(.setPort(baud: baud)!, replyLength: 5)
        try await host.reconfigure(SerialConfiguration(baudRate: baud))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await host.write(bytes)
    }

    /// Reads exactly `count` bytes or fails after `timeout`.
    func read(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [UInt8] {
        try await host.read(exactly: count, deadline: clock.now.advanced(by: timeout))
    }

    /// Sends a request and reads `count` reply bytes.
    func exchange(_ request: VC0706Request, replyLength count: Int) async throws -> [UInt8] {
        try await send(request.encoded)
        return try await read(count)
    }

    /// Reads until the text `marker` followed by CR LF has arrived; returns everything read.
    func readText(until marker: String, timeout: Duration = .seconds(5)) async throws -> String {
        var bytes: [UInt8] = []
        let deadline = clock.now.advanced(by: timeout)
        let end = Array((marker + "\r\n").utf8)
        while !bytes.ends(with: end) {
            let chunk = try await host.read(upTo: 256, deadline: deadline)
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whatever arrives within `window`.
    func readAny(for window: Duration) async throws -> [UInt8] { try await host.readAll(for: window) }
}

extension SerialPort {
    /// Whatever arrives within `window`.
    func readAll(for window: Duration) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        let deadline = clock.now.advanced(by: window)
        while true {
            let chunk = try await read(upTo: 65536, deadline: deadline)
            if chunk.isEmpty { return bytes }
            bytes += chunk
        }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
