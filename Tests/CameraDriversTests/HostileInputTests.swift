import CameraDrivers
import CameraProtocols
import Emulators
import HAL
import HALSimulation
import Scenes
import Testing

/// A device end of a simulated link that answers VC0706 requests as `answer` says, and then,
/// when `answer` asks for it, sends zeros forever at the wire's pace.
struct ScriptedVC0706 {
    enum Response { case reply([UInt8]), replyThenStream([UInt8]), streamForever, silence }

    let port: SimulatedSerialPort
    let answer: @Sendable (VC0706Request) -> Response

    /// Runs until cancelled.
    func run() async {
        var decoder = VC0706RequestDecoder()
        do {
            while true {
                let bytes = try await port.read(upTo: 64, deadline: port.clock.now.advanced(by: .seconds(1)))
                decoder.feed(bytes)
                while let output = decoder.next() {
                    guard case .request(let request) = output else { continue }
                    switch answer(request) {
                    case .reply(let bytes): try await port.write(bytes)
                    case .replyThenStream(let bytes):
                        try await port.write(bytes)
                        try await Self.stream(on: port)
                    case .streamForever: try await Self.stream(on: port)
                    case .silence: break
                    }
                }
            }
        } catch {}
    }

    /// Zeros at the wire's pace until cancelled.
    static func stream(on port: SimulatedSerialPort) async throws {
        while !Task.isCancelled {
            try await port.write([UInt8](repeating: 0, count: 256))
            try await port.drain()
        }
    }

    /// A VC0706 reply: `76 serial command status length data`.
    static func reply(to request: VC0706Request, command: UInt8? = nil, _ data: [UInt8] = []) -> [UInt8] {
        [0x76, request.serial, command ?? request.command, 0x00, UInt8(data.count)] + data
    }

    /// A camera that answers like a VC0706 with a 4,096-byte frame, and streams without end
    /// after READ_FBUF's header reply.
    static func streamingAfterHeader(_ request: VC0706Request) -> Response {
        switch request.knownCommand {
        case .genVersion: .reply(reply(to: request, Array("VC0703 1.00".utf8)))
        case .readData: .reply(reply(to: request, [0x00]))
        case .getFrameBufferLength: .reply(reply(to: request, [0x00, 0x00, 0x10, 0x00]))
        case .readFrameBuffer: .replyThenStream(reply(to: request))
        default: .reply(reply(to: request))
        }
    }
}

/// Runs `body` on virtual time beside `peer`; returns what it returned and the virtual time it took.
func withPeer<T: Sendable>(
    clock: VirtualClock, _ peer: @escaping @Sendable () async -> Void, _ body: @escaping @Sendable () async throws -> T
) async throws -> (T, Duration) {
    try await Simulation.run(clock: clock) {
        try await withThrowingTaskGroup(of: (T, Duration)?.self) { group in
            group.addTask { await peer(); return nil }
            group.addTask {
                let start = clock.now
                let result = try await body()
                return (result, start.duration(to: clock.now))
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}

/// A frame of exactly `size` bytes, whatever is asked.
struct HugeFrameScene: Scene {
    var name = "huge"
    var frameRate = 5.0
    var motion: [ClosedRange<Double>] = []
    let size: Int

    func frame(at time: MonotonicInstant, width: Int, height: Int, quality: Int) throws -> SceneFrame {
        SceneFrame(index: frameIndex(at: time), time: time, jpeg: [0xFF, 0xD8] + [UInt8](repeating: 0, count: size - 4) + [0xFF, 0xD9])
    }

    func objects(at time: MonotonicInstant) -> [SceneObject] { [] }
    func isDark(at time: MonotonicInstant) -> Bool { false }
}

/// Cameras that never stop sending, announce impossible sizes or answer the wrong command:
/// every driver operation ends, within a bounded virtual time, in a typed error naming what
/// happened; none hangs, none traps.
@Suite struct CameraHostileInputTests {
    func vc0706(_ clock: VirtualClock, power: Bool = false, answer: @escaping @Sendable (VC0706Request) -> ScriptedVC0706.Response)
        -> (VC0706Camera<SimulatedSerialPort>, ScriptedVC0706)
    {
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 38400))
        var options = VC0706Camera<SimulatedSerialPort>.Options()
        options.preferredBauds = []
        if power { options.power = { _ in } }
        return (VC0706Camera(port: link.host, options: options), ScriptedVC0706(port: link.device, answer: answer))
    }

    @Test func aVC0706ThatStreamsAfterTheReadFBUFHeaderFailsTheSnapshotInBoundedTime() async throws {
        let clock = VirtualClock()
        let (camera, peer) = vc0706(clock, answer: ScriptedVC0706.streamingAfterHeader)
        let (result, took) = try await withPeer(clock: clock, { await peer.run() }) { () async -> Result<CapturedFrame, CameraError> in
            do throws(CameraError) {
                _ = try await camera.connect()
                return .success(try await camera.snapshot())
            } catch { return .failure(error) }
        }
        guard case .failure(let error) = result else { Issue.record("a snapshot came back"); return }
        #expect(error.kind == .busy || error.kind == .timedOut, "\(error)")
        #expect(error.message.contains("keep"), "\(error)")
        // One READ_FBUF deadline, then resyncs each cut off by their byte budget.
        #expect(took < .seconds(300), "took \(took)")
    }

    @Test func aVC0706ThatStreamsFromTheStartFailsTheProbeInBoundedTime() async throws {
        let clock = VirtualClock()
        let (camera, peer) = vc0706(clock) { _ in .silence }
        let (result, took) = try await withPeer(clock: clock, { try? await ScriptedVC0706.stream(on: peer.port) }) { () async -> CameraError? in
            do throws(CameraError) { _ = try await camera.connect(); return nil } catch { return error }
        }
        let error = try #require(result, "connected to a camera that only streams zeros")
        #expect(error.kind == .busy, "\(error)")
        #expect(error.message.contains("keeps sending"), "\(error)")
        #expect(took < .seconds(120), "took \(took)")
    }

    @Test func anOV528ThatStreamsFromTheStartFailsTheProbeInBoundedTime() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 115200))
        let camera = OV528Camera(port: link.host)
        let (result, took) = try await withPeer(clock: clock, { try? await ScriptedVC0706.stream(on: link.device) }) { () async -> CameraError? in
            do throws(CameraError) { _ = try await camera.connect(); return nil } catch { return error }
        }
        let error = try #require(result, "connected to a camera that only streams zeros")
        #expect(error.kind == .noCamera || error.kind == .busy, "\(error)")
        #expect(error.message.contains("never quiet") || error.message.contains("keeps sending"), "\(error)")
        #expect(took < .seconds(120), "took \(took)")
    }

    @Test(arguments: [OV528.Variant.ov528, .ucam3])
    func anOV528AnnouncingAnImpossibleSizeIsRefusedBeforeAnyPackageIsRead(variant: OV528.Variant) async throws {
        var options = OV528Camera<SimulatedSerialPort>.Options()
        options.packageSizes = [64]
        options.attempts = 1
        let bench = OV528DriverBench(variant, scene: HugeFrameScene(size: 0xFF_FFFF), options: options)
        let error = try await bench.run { bench -> CameraError? in
            _ = try await bench.camera.connect()
            do throws(CameraError) { _ = try await bench.camera.snapshot(); return nil } catch { return error }
        }
        let refused = try #require(error, "a 16 MB picture was read")
        #expect(refused.kind == .protocolViolation)
        #expect(refused.message.contains("announced a picture of 16777215 bytes"), "\(refused)")
        #expect(refused.message.contains("4 to \(variant.largestJPEGSize)"), "\(refused)")
        #expect(bench.emulator.packageRequests.isEmpty)
    }

    @Test(arguments: [false, true])
    func aCameraAnsweringAnotherCommandIsSaidToDoSo(power: Bool) async throws {
        let clock = VirtualClock()
        let (camera, peer) = vc0706(clock, power: power) { request in
            .reply(ScriptedVC0706.reply(to: request, command: VC0706.Command.frameBufferControl.rawValue))
        }
        let (result, _) = try await withPeer(clock: clock, { await peer.run() }) { () async -> CameraError? in
            do throws(CameraError) { _ = try await camera.connect(); return nil } catch { return error }
        }
        let error = try #require(result)
        #expect(error.kind == .protocolViolation, "\(error)")
        #expect(error.message.contains("answered FBUF_CTRL when asked for SYSTEM_RESET"), "\(error)")
        #expect(!error.message.contains("booting"))
    }

    @Test func probingAPortThatStreamsEndsInBoundedTime() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 38400))
        let detector = CameraDetector(port: link.host, vc0706: .init(), ov528: .init(), preferred: .vc0706)
        let (result, took) = try await withPeer(clock: clock, { try? await ScriptedVC0706.stream(on: link.device) }) { () async -> CameraError? in
            do throws(CameraError) { _ = try await detector.connect(); return nil } catch { return error }
        }
        let error = try #require(result, "found a camera in a stream of zeros")
        #expect(error.kind == .busy, "\(error)")
        #expect(took < .seconds(120), "took \(took)")
    }

    @Test func anOV528AcknowledgingAnotherCommandIsSaidToDoSo() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 115200))
        var options = OV528Camera<SimulatedSerialPort>.Options()
        options.probeBauds = []
        let camera = OV528Camera(port: link.host, options: options)
        // SYNC is answered as it should be; every other command gets the ACK of SNAPSHOT.
        let peer: @Sendable () async -> Void = {
            var buffer: [UInt8] = []
            do {
                while true {
                    buffer += try await link.device.read(upTo: 64, deadline: clock.now.advanced(by: .seconds(1)))
                    while let start = buffer.firstIndex(of: OV528.mark), buffer.count - start >= OV528.messageLength {
                        let message = OV528Message(bytes: buffer[start..<start + OV528.messageLength])
                        buffer.removeFirst(start + OV528.messageLength)
                        guard let message else { continue }
                        if message.knownCommand == .sync {
                            try await link.device.write(OV528Message.ack(.sync).encoded + OV528Message.sync().encoded)
                        } else if message.knownCommand != .ack {
                            try await link.device.write(OV528Message.ack(.snapshot).encoded)
                        }
                    }
                }
            } catch {}
        }
        let (result, _) = try await withPeer(clock: clock, peer) { () async -> CameraError? in
            do throws(CameraError) { _ = try await camera.connect(); return nil } catch { return error }
        }
        let error = try #require(result)
        #expect(error.kind == .protocolViolation, "\(error)")
        #expect(error.message.contains("acknowledged \(OV528.Command.snapshot) when asked for \(OV528.Command.sleep)"), "\(error)")
    }
}
