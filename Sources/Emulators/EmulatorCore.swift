import CameraProtocols
import HAL
import Scenes
import Synchronization

/// One camera model's firmware, as ``EmulatorCore/run(_:)`` drives it: requests decoded from
/// the bytes the module receives, what it does when it boots, and what it does now and then.
protocol Firmware: Sendable {
    associatedtype Decoder: RequestDecoding

    /// A request left incomplete this long is dropped.
    var interByteTimeout: Duration { get }
    /// How often ``tick()`` runs (and how often a module without power looks again).
    var tickInterval: Duration { get }

    /// Restarts as from power-up (also after a brown-out): default state, default baud, and
    /// whatever the module sends once booted.
    func boot() async throws
    /// Acts on one decoded request.
    func handle(_ output: Decoder.Output) async throws
    /// The host stopped sending in the middle of a request of `count` bytes.
    func partialRequestDropped(_ count: Int) async throws
    /// Periodic work: motion detection, sleep timers.
    func tick() async throws
}

/// A firmware's request decoder, whatever the protocol.
protocol RequestDecoding: Sendable {
    associatedtype Output: Sendable
    init()
    mutating func take(_ bytes: [UInt8])
    mutating func next() -> Output?
    var holdsPartialRequest: Bool { get }
    /// Drops a partial request; returns its length.
    mutating func dropPartialRequest() -> Int
}

extension VC0706RequestDecoder: RequestDecoding {
    mutating func take(_ bytes: [UInt8]) { feed(bytes) }
    var holdsPartialRequest: Bool { hasPartialRequest }
    mutating func dropPartialRequest() -> Int {
        let count = skippedBytes
        discardPartial()
        return skippedBytes - count
    }
}

extension OV528Decoder: RequestDecoding {
    mutating func take(_ bytes: [UInt8]) { feed(bytes) }
    var holdsPartialRequest: Bool { hasPartialMessage }
    mutating func dropPartialRequest() -> Int { discardPartial() }
}

/// What every emulated camera shares, whatever its protocol: the serial port and its clock,
/// power and the test-side faults (``EmulatedCamera``), the scene and its rendered frames,
/// sending paced so that a power cut stops a reply where it is, the trace, and the main loop
/// that feeds received bytes to the model's ``Firmware``.
final class EmulatorCore: Sendable {
    struct State {
        var powered = true
        var bootPending: Bool
        var brownOutPending = false
        var corruptNext = false
        var dropNext = false
        var motionUntil: MonotonicInstant?
        var scene: any Scene
        var cache: (key: FrameKey, frame: SceneFrame)?
        var trace: (@Sendable (EmulatorTrace) -> Void)?
    }

    struct FrameKey: Hashable {
        var index: Int
        var width: Int
        var height: Int
        var quality: Int
    }

    let model: String
    let port: any SerialPort
    let clock: any HALClock
    let state: Mutex<State>

    /// - Parameter boots: whether the firmware boots first thing, as at power-up.
    init(model: String, port: any SerialPort, scene: any Scene, boots: Bool) {
        self.model = model
        self.port = port
        clock = port.clock
        state = Mutex(State(bootPending: boots, scene: scene))
    }

    // MARK: Backend controls (see ``EmulatedCamera``)

    var isPowered: Bool { state.withLock { $0.powered } }

    func setPower(_ on: Bool) {
        state.withLock { state in
            if on && !state.powered { state.bootPending = true }
            state.powered = on
        }
        trace(.event, on ? "power on" : "power off")
    }

    func brownOut() {
        state.withLock { $0.brownOutPending = true }
        trace(.event, "brown-out")
    }

    func injectMotion(for duration: Duration) {
        let until = clock.now.advanced(by: duration)
        state.withLock { $0.motionUntil = max($0.motionUntil ?? until, until) }
    }

    func corruptNextReply() { state.withLock { $0.corruptNext = true } }
    func dropNextReply() { state.withLock { $0.dropNext = true } }

    func replaceScene(_ scene: any Scene) {
        state.withLock { state in
            state.scene = scene
            state.cache = nil
        }
    }

    func setTrace(_ trace: (@Sendable (EmulatorTrace) -> Void)?) {
        state.withLock { $0.trace = trace }
    }

    /// Takes the faults set for the next reply: whether to drop it, whether to corrupt it.
    func takeReplyFaults() -> (drop: Bool, corrupt: Bool) {
        state.withLock { state in
            defer { state.dropNext = false; state.corruptNext = false }
            return (state.dropNext, state.corruptNext)
        }
    }

    /// Whether the scene shows motion at `time` (objects in view, or motion injected).
    func motionSeen(at time: MonotonicInstant) -> Bool {
        let (scene, injected) = state.withLock { ($0.scene, ($0.motionUntil ?? .zero) > time) }
        return injected || !scene.objects(at: time).isEmpty
    }

    // MARK: Main loop

    /// Runs `firmware` until the task is cancelled: boots it when power comes, feeds it what
    /// the port receives, drops requests the host left incomplete, and ticks it.
    func run<F: Firmware>(_ firmware: F) async {
        var decoder = F.Decoder()
        var lastByte = clock.now
        var nextTick = clock.now
        while !Task.isCancelled {
            do {
                if try await handlePowerEvents(firmware) {
                    decoder = F.Decoder()
                    continue
                }
                var deadline = nextTick
                if decoder.holdsPartialRequest { deadline = min(deadline, lastByte.advanced(by: firmware.interByteTimeout)) }
                let bytes = try await port.read(upTo: 512, deadline: deadline)
                let now = clock.now
                if !bytes.isEmpty {
                    lastByte = now
                    if !isPowered { continue }  // a dead module hears nothing
                    decoder.take(bytes)
                    while let output = decoder.next() {
                        try await firmware.handle(output)
                    }
                } else if decoder.holdsPartialRequest && now >= lastByte.advanced(by: firmware.interByteTimeout) {
                    let count = decoder.dropPartialRequest()
                    trace(.event, "dropped an incomplete request of \(count) bytes")
                    try await firmware.partialRequestDropped(count)
                }
                if clock.now >= nextTick {
                    try await firmware.tick()
                    nextTick = clock.now.advanced(by: firmware.tickInterval)
                }
            } catch FirmwareInterrupt.power {
                decoder = F.Decoder()
            } catch {
                if Task.isCancelled || (error as? HALError)?.kind == .cancelled { return }
                trace(.event, "serial error: \(error)")
                // The port failed (unplugged, say): wait and carry on, as firmware does.
                try? await clock.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Boots after power-up or a brown-out; returns true if it did anything.
    private func handlePowerEvents(_ firmware: some Firmware) async throws -> Bool {
        let (powered, boot, brownOut) = state.withLock { state in
            let result = (state.powered, state.bootPending, state.brownOutPending)
            state.brownOutPending = false
            if state.powered { state.bootPending = false }
            return result
        }
        if !powered {
            try await port.flush(.both)  // what was on its way out dies with the module
            try await sleep(for: firmware.tickInterval)
            return true
        }
        guard boot || brownOut else { return false }
        if brownOut {
            try await port.flush(.output)  // the transfer in progress is cut short
            try await port.write([0x00, 0xFF, 0x80])  // what the supply dip leaves on the line
        }
        try await firmware.boot()
        return true
    }

    // MARK: Frames

    /// The scene's frame at `time`, rendered at this size and quality (the last one is kept).
    func frame(at time: MonotonicInstant, width: Int, height: Int, quality: Int) throws(HALError) -> SceneFrame {
        let (scene, cache) = state.withLock { ($0.scene, $0.cache) }
        let key = FrameKey(index: scene.frameIndex(at: time), width: width, height: height, quality: quality)
        if let cache, cache.key == key { return cache.frame }
        do {
            let frame = try scene.frame(at: scene.frameStart(key.index), width: width, height: height, quality: quality)
            state.withLock { $0.cache = (key, frame) }
            return frame
        } catch let error as HALError {
            throw error
        } catch {
            throw HALError(.io, operation: "render-frame", target: model, message: "\(error)")
        }
    }

    /// When the scene's next frame starts.
    func nextFrameTime() -> MonotonicInstant {
        let scene = state.withLock { $0.scene }
        return scene.frameStart(scene.frameIndex(at: clock.now) + 1)
    }

    /// When the frame `count` frames after the current one starts (now, for 0).
    func frameTime(after count: Int) -> MonotonicInstant {
        guard count > 0 else { return clock.now }
        let scene = state.withLock { $0.scene }
        return scene.frameStart(scene.frameIndex(at: clock.now) + count)
    }

    // MARK: Output

    /// Sends `bytes`, paced by the port; a power cut or brown-out stops them where they are
    /// and throws ``FirmwareInterrupt/power``.
    func send(_ bytes: [UInt8], describing description: @autoclosure () -> String) async throws {
        try await send(count: bytes.count, describing: description()) { Array(bytes[$0]) }
    }

    /// Sends `count` bytes, each piece made by `bytes` from its range of indices as the line
    /// takes it (a transfer of gigabytes is never held at once), paced as ``send(_:describing:)``.
    func send(count: Int, describing description: @autoclosure () -> String, bytes: (Range<Int>) -> [UInt8]) async throws {
        guard isPowered else { return }
        trace(.sent, description())
        // In pieces, each queued just before the line goes idle: the pacing stays exact and a
        // power cut or brown-out stops the transfer where it is, as on the real module.
        let piece = 256
        var offset = 0
        while offset < count {
            if state.withLock({ !$0.powered || $0.brownOutPending }) {
                try await port.flush(.output)
                throw FirmwareInterrupt.power
            }
            let end = min(offset + piece, count)
            try await port.write(bytes(offset..<end))
            if end < count {
                try await sleep(for: port.configuration.wireTime(forBytes: end - offset - 1))
            }
            offset = end
        }
    }

    /// Moves the module's UART to `baud` once what it is sending has left.
    func switchBaud(to baud: Int) async throws {
        try await port.drain()
        var configuration = port.configuration
        configuration.baudRate = baud
        try await port.reconfigure(configuration)
    }

    func sleep(for duration: Duration) async throws(HALError) {
        try await sleep(until: clock.now.advanced(by: duration))
    }

    func sleep(until deadline: MonotonicInstant) async throws(HALError) {
        do { try await clock.sleep(until: deadline, tolerance: nil) } catch {
            throw HALError(.cancelled, operation: "sleep", target: model)
        }
    }

    func trace(_ direction: EmulatorTrace.Direction, _ text: @autoclosure () -> String) {
        guard let trace = state.withLock({ $0.trace }) else { return }
        trace(EmulatorTrace(time: clock.now, direction: direction, text: text()))
    }
}

/// Raised inside the firmware when power fails mid-operation; the main loop reboots.
enum FirmwareInterrupt: Error { case power }
