@testable import CameraDrivers
import CameraProtocols
import Emulators
import HAL
import HALSimulation
import Synchronization
import Testing

/// The host end of a simulated link, batching as `LinuxSerialPort` does: a read asked for at
/// least N bytes returns once N have come, at its deadline, or once the line has been quiet
/// for the wire time of the bytes still missing. Counts the reads the driver makes.
final class BatchingPort: SerialPort {
    let base: SimulatedSerialPort
    /// Every read the driver made, and how many bytes each asked for at least.
    let asked = Mutex<[Int]>([])
    /// The request of every exchange the driver made.
    let exchanged = Mutex<[[UInt8]]>([])

    init(_ base: SimulatedSerialPort) { self.base = base }

    var name: String { base.name }
    var configuration: SerialConfiguration { base.configuration }
    var clock: any HALClock { base.clock }
    func reconfigure(_ configuration: SerialConfiguration) async throws(HALError) { try await base.reconfigure(configuration) }
    func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await read(atLeast: 1, upTo: maxCount, deadline: deadline)
    }
    func read(atLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        asked.withLock { $0.append(minCount) }
        var received = try await base.read(upTo: maxCount, deadline: deadline)
        while !received.isEmpty && received.count < min(minCount, maxCount) {
            let quiet = clock.now.advanced(by: configuration.wireTime(forBytes: minCount - received.count))
            let more = try await base.read(upTo: maxCount - received.count, deadline: min(quiet, deadline))
            if more.isEmpty { break }
            received += more
        }
        return received
    }
    func write(_ bytes: [UInt8]) async throws(HALError) { try await base.write(bytes) }
    func exchange(_ request: [UInt8], readAtLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        exchanged.withLock { $0.append(request) }
        try await write(request)
        return try await read(atLeast: minCount, upTo: maxCount, deadline: deadline)
    }
    func drain() async throws(HALError) { try await base.drain() }
    func flush(_ queues: SerialQueues) async throws(HALError) { try await base.flush(queues) }
    func close() async { await base.close() }
}

/// The drivers over a port that hands over bytes in batches: frames arrive whole, in far
/// fewer reads than pieces, and a camera that never stops sending still fails in bounded time.
@Suite struct BatchingPortTests {
    @Test func aVC0706FrameArrivesWholeInBatches() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 38400))
        var configuration = VC0706Emulator.Configuration()
        configuration.initialBaud = 38400
        let emulator = VC0706Emulator(port: link.device, scene: StillScene(), configuration: configuration)
        let port = BatchingPort(link.host)
        var options = VC0706Camera<BatchingPort>.Options()
        options.preferredBauds = [115200]
        let camera = VC0706Camera(port: port, options: options)
        let frame = try await withFirmware(emulator, clock: clock) {
            _ = try await camera.connect()
            try await camera.configure(CameraSettings(width: 640, height: 480))
            port.asked.withLock { $0.removeAll() }
            return try await camera.snapshot()
        }
        #expect(frame.jpeg == StillScene.jpeg(width: 640, height: 480))
        let asked = port.asked.withLock { $0 }
        // 49 KB at 115200 baud in batches of at most 3,456 bytes (300 ms): some 15 reads for
        // the data, not one for each piece the link delivers.
        #expect(asked.contains { $0 == CameraRead.batchLimit(SerialConfiguration(baudRate: 115200)) })
        #expect(asked.count < 120, "\(asked.count) reads")
    }

    @Test(arguments: [OV528.Variant.ov528, .ucam3])
    func anOV528FrameArrivesWholeInBatchesEachPackageAskedForInOneExchange(variant: OV528.Variant) async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 115200))
        var configuration = OV528Emulator.Configuration(variant: variant)
        configuration.initialBaud = 115200
        configuration.bootsOnStart = false
        let emulator = OV528Emulator(port: link.device, scene: StillScene(), configuration: configuration)
        let port = BatchingPort(link.host)
        let camera = OV528Camera(port: port, options: OV528Camera<BatchingPort>.Options())
        let frame = try await withFirmware(emulator, clock: clock) {
            _ = try await camera.connect()
            port.exchanged.withLock { $0.removeAll() }
            return try await camera.snapshot()
        }
        #expect(frame.retries == 0)
        #expect(frame.jpeg.count > 1000)
        #expect(port.asked.withLock { $0.contains { $0 > 64 } })
        // Package 0, 1, 2, ... each asked for once, and only packages: commands and the
        // transfer's end go as plain writes.
        let requests = port.exchanged.withLock { $0 }
        let packages = (0..<requests.count).map { OV528Message.requestPackage(UInt16($0)).encoded }
        #expect(requests.count >= frame.jpeg.count / camera.packageSize)
        #expect(requests == packages)
    }

    @Test func aVC0706ThatStreamsAfterTheReadFBUFHeaderStillFailsInBoundedTime() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 38400))
        var options = VC0706Camera<BatchingPort>.Options()
        options.preferredBauds = []
        let camera = VC0706Camera(port: BatchingPort(link.host), options: options)
        let peer = ScriptedVC0706(port: link.device, answer: ScriptedVC0706.streamingAfterHeader)
        let (result, took) = try await withPeer(clock: clock, { await peer.run() }) { () async -> Result<CapturedFrame, CameraError> in
            do throws(CameraError) {
                _ = try await camera.connect()
                return .success(try await camera.snapshot())
            } catch { return .failure(error) }
        }
        guard case .failure(let error) = result else { Issue.record("a snapshot came back"); return }
        #expect(error.kind == .busy || error.kind == .timedOut, "\(error)")
        #expect(took < .seconds(300), "took \(took)")
    }

    @Test func aBatchWaitsForAtMostThreeTenthsOfASecondOfWireTime() {
        #expect(CameraRead.batchLimit(SerialConfiguration(baudRate: 9600)) == 288)
        #expect(CameraRead.batchLimit(SerialConfiguration(baudRate: 115200)) == 3456)
        #expect(CameraRead.batchLimit(SerialConfiguration(baudRate: 921600)) == CameraRead.batchBytes)
    }
}
