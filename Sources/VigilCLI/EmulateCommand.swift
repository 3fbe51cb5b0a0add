import ArgumentParser
import CameraProtocols
import Emulators
import Foundation
import HAL
import HALSimulation
import Scenes

/// `vigil emulate`: emulated cameras on pseudo-terminals, for any host software to talk to.
struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Run emulated cameras on new pseudo-terminals until interrupted.",
        discussion: """
            Prints one pty path a line (one per camera), then serves until interrupted \
            (Ctrl-C or SIGTERM). Bytes are paced at the emulated baud. When the program on the \
            pty sets a different speed than the camera's, what passes is garbled as on a wire \
            (turn that off with --ignore-host-baud).
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "The camera model to emulate.")
    var camera: EmulatedModel = .vc0706

    @Option(help: "The baud the camera's UART is at when the emulator starts (as if a host had left it there); a reset goes back to 38400.")
    var baud: Int = 38400

    @Option(help: "What the camera sees: \(SceneCatalog.names.joined(separator: ", ")), or a directory of JPEG files to replay.")
    var scene: String = "street"

    @Option(help: "The image size the camera starts with (its EEPROM setting): 640x480, 320x240 or 160x120.")
    var size: String = "640x480"

    @Option(help: "Seed for the scene and everything random.")
    var seed: UInt64 = 1

    @Option(help: "Make a stable symlink to the pty (with --count, one per camera: PATH0, PATH1, ...).")
    var link: String?

    @Option(help: "How many cameras to run.")
    var count: Int = 1

    @Flag(help: "Log every request and reply to standard error.")
    var trace = false

    @Flag(help: "Do not garble traffic when the program's baud differs from the camera's.")
    var ignoreHostBaud = false

    enum EmulatedModel: String, ExpressibleByArgument, CaseIterable {
        case vc0706
    }

    var imageSize: VC0706.ImageSize? {
        parseSize(size).flatMap { VC0706.ImageSize(width: $0.0, height: $0.1) }
    }

    func validate() throws {
        guard let imageSize, VC0706.ImageSize.standard.contains(imageSize) else {
            throw ValidationError("--size \(size) is not a VC0706 size; use 640x480, 320x240 or 160x120")
        }
        guard (1...256).contains(count) else { throw ValidationError("--count must be from 1 to 256") }
        guard VC0706.supportedBauds.contains(baud) else {
            throw ValidationError("--baud \(baud) is not a VC0706 baud; use one of \(VC0706.supportedBauds.map(String.init).joined(separator: ", "))")
        }
    }

    struct Started: Encodable {
        var camera: Int
        var model: String
        var path: String
        var link: String?
        var baud: Int
        var scene: String
    }

    func run() async throws {
        let termination = TerminationSignal()
        let clock = VirtualClock()
        let logger = options.makeLogger("vigil.emulate")
        var cameras: [VC0706Emulator] = []
        var bridges: [PseudoTerminalBridge] = []
        var links: [String] = []
        defer {
            bridges.forEach { $0.stop() }
            links.forEach { try? FileManager.default.removeItem(atPath: $0) }
        }
        for index in 0..<count {
            let sceneValue = try SceneCatalog.scene(named: scene, seed: seed &+ UInt64(index))
            let serialLink = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: baud), name: "camera\(index)")
            var configuration = VC0706Emulator.Configuration()
            configuration.initialBaud = baud
            configuration.initialSize = imageSize ?? .vga
            configuration.bootsOnStart = false  // powered up long ago: no banner on a fresh pty
            let emulator = VC0706Emulator(port: serialLink.device, scene: sceneValue, configuration: configuration)
            if trace {
                emulator.setTrace { entry in
                    FileHandle.standardError.write(Data("camera\(index) \(entry)\n".utf8))
                }
            }
            let bridge = try PseudoTerminalBridge(link: serialLink, followHostBaud: !ignoreHostBaud)
            var linkPath: String?
            if let link {
                let path = count == 1 ? link : link + String(index)
                try? FileManager.default.removeItem(atPath: path)
                do {
                    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: bridge.path)
                } catch {
                    throw CLIError("cannot make the link \(path) to \(bridge.path): \(error.localizedDescription)")
                }
                links.append(path)
                linkPath = path
            }
            cameras.append(emulator)
            bridges.append(bridge)
            let started = Started(camera: index, model: camera.rawValue, path: bridge.path, link: linkPath, baud: baud, scene: sceneValue.name)
            if options.json { try Output.jsonLine(started) } else { print(bridge.path) }
            logger.info("camera \(index): \(camera.rawValue) at \(baud) baud on \(bridge.path), scene \(sceneValue.name)")
        }
        fflush(nil)
        let (running, pumps) = (cameras, bridges)
        try await Simulation.run(clock: clock, speed: options.speed) {
            await withTaskGroup(of: Void.self) { group in
                for camera in running { group.addTask { await camera.run() } }
                for bridge in pumps { group.addTask { await bridge.run() } }
                group.addTask { await termination.wait() }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }
}

/// SIGINT and SIGTERM, caught from the moment this is made so that a stop asked for early
/// still ends the command cleanly (removing links, closing ptys). Immutable after init.
final class TerminationSignal: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            return source
        }
    }

    /// Returns when the process is asked to stop.
    func wait() async {
        for await _ in stream { break }
    }

    deinit { sources.forEach { $0.cancel() } }
}
