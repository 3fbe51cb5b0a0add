import CameraProtocols
import HAL
import HALSimulation
import Scenes

@testable import Emulators

/// An OV528 or uCAM-III emulator on a simulated link at its default baud, and the host's end.
struct OV528Bench {
    let clock = VirtualClock()
    let link: SimulatedSerialLink
    let camera: OV528Emulator
    var host: SimulatedSerialPort { link.host }

    init(_ variant: OV528.Variant, scene: any Scene = PatternScene(), configure: (inout OV528Emulator.Configuration) -> Void = { _ in }) {
        var configuration = OV528Emulator.Configuration(variant: variant)
        configuration.bootsOnStart = false
        configure(&configuration)
        link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: configuration.initialBaud), name: "sim:camera0")
        camera = OV528Emulator(port: link.device, scene: scene, configuration: configuration)
    }

    var variant: OV528.Variant { camera.configuration.variant }

    /// Runs `body` on virtual time with the camera's firmware running.
    func run<T: Sendable>(_ body: @escaping @Sendable (OV528Bench) async throws -> T) async throws -> T {
        try await Simulation.run(clock: clock) { [self] in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { await camera.run(); return nil }
                group.addTask { try await body(self) }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw CancellationError()
            }
        }
    }

    func send(_ bytes: [UInt8]) async throws { try await host.write(bytes) }
    func send(_ message: OV528Message) async throws { try await host.write(message.encoded) }

    /// Reads exactly `count` bytes, or what came before `timeout`.
    func read(_ count: Int, timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        try await host.read(exactly: count, deadline: clock.now.advanced(by: timeout))
    }

    /// Sends `message` and reads `count` reply bytes.
    func exchange(_ message: OV528Message, replyLength count: Int = 6) async throws -> [UInt8] {
        try await send(message)
        return try await read(count)
    }

    /// Whatever arrives within `window`.
    func readAny(for window: Duration) async throws -> [UInt8] { try await host.readAll(for: window) }

    /// SYNCs as a uCAM host does (up to 60 tries, 5 ms apart growing by 1 ms) until the camera
    /// answers ACK and SYNC, then ACKs its SYNC. Returns the number of SYNCs sent, or nil.
    func sync() async throws -> Int? {
        let address = camera.configuration.address
        let ack = Array(OV528Message.ack(.sync, address: address).encoded.prefix(3))  // then the ACK counter
        for attempt in 1...OV528.maximumSyncTries {
            try await send(.sync(address: address))
            let reply = try await read(12, timeout: .milliseconds(5 + attempt - 1))
            guard reply.count == 12 else { continue }
            guard Array(reply.prefix(3)) == ack, Array(reply[6...]) == OV528Message.sync(address: address).encoded else {
                return nil
            }
            try await send(.ack(.sync, address: address))
            return attempt
        }
        return nil
    }

    /// Syncs and sets JPEG at `resolution` (the largest if nil) and `packageSize`.
    func prepare(_ resolution: OV528.Resolution? = nil, packageSize: Int = 512) async throws {
        guard try await sync() != nil else { throw BenchError("the camera did not sync") }
        let resolution = resolution ?? variant.jpegResolutions.last!
        guard try await exchange(.initialJPEG(resolution, variant: variant)).prefix(3) == [0xAA, 0x0E, 0x01] else { throw BenchError("INITIAL") }
        guard try await exchange(.setPackageSize(packageSize)).prefix(3) == [0xAA, 0x0E, 0x06] else { throw BenchError("SET PACKAGE SIZE") }
    }

    /// Fetches the picture GET PICTURE announces, package by package; returns DATA's size and
    /// the image.
    func fetch(_ type: OV528.PictureType = .snapshot, packageSize: Int = 512) async throws -> (size: Int, image: [UInt8]) {
        let reply = try await exchange(.getPicture(type), replyLength: 12)
        guard reply.prefix(3) == [0xAA, 0x0E, 0x04], reply[6...8] == [0xAA, 0x0A, type.rawValue] else {
            throw BenchError("GET PICTURE answered \(Hex.bytes(reply))")
        }
        let size = OV528Message(bytes: reply[6...])!.imageSize
        var image: [UInt8] = []
        for id in 0..<OV528.packageCount(imageSize: size, packageSize: packageSize) {
            let dataSize = OV528.packageDataSize(id: id, imageSize: size, packageSize: packageSize)
            let bytes = try await exchange(.requestPackage(UInt16(id)), replyLength: dataSize + 6)
            image += try OV528Package.decode(bytes, id: UInt16(id), dataSize: dataSize).data
        }
        try await send(.endTransfer())
        return (size, image)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
