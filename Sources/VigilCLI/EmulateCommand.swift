import ArgumentParser
import BoardSupport
import CameraProtocols
import Emulators
import Foundation
import HAL
import HALSimulation
import Node
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

    @Option(help: "The camera model to emulate: vc0706, ov528 (Grove serial camera) or ucam3 (4D Systems uCAM-III).")
    var camera: CameraModel = .vc0706

    @Option(help: "The baud the camera's UART is at when the emulator starts (as if a host had left it there); a reset goes back to the model's default, which is also this option's: 38400 for the VC0706, 115200 for the OV528 and uCAM-III.")
    var baud: Int?

    @Option(help: "What the camera sees: \(SceneCatalog.names.joined(separator: ", ")), or a directory of JPEG files to replay.")
    var scene: String = "street"

    @Option(help: "VC0706 only: the image size the camera starts with (its EEPROM setting): 640x480 (the default), 320x240 or 160x120. OV528 and uCAM-III hosts choose the size themselves (INITIAL).")
    var size: String?

    @Flag(help: "VC0706 only: emulate a cheap clone that refuses register reads and writes (image size, compression), motion control and downsize with status 1 (command not received); frames still come.")
    var minimalClone = false

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

    var imageSize: VC0706.ImageSize? {
        NodeConfiguration.frameSize(size ?? "640x480").flatMap { VC0706.ImageSize(width: $0.0, height: $0.1) }
    }

    /// The baud the camera starts at: `--baud`, or the model's default.
    var startBaud: Int { baud ?? (camera == .vc0706 ? VC0706.defaultBaud : OV528.Variant.ucam3.defaultBaud) }

    func validate() throws {
        guard (1...256).contains(count) else { throw ValidationError("--count must be from 1 to 256") }
        switch camera {
        case .vc0706:
            guard let imageSize, VC0706.ImageSize.standard.contains(imageSize) else {
                throw ValidationError("--size \(size ?? "") is not a VC0706 size; use 640x480, 320x240 or 160x120")
            }
            guard VC0706.supportedBauds.contains(startBaud) else {
                throw ValidationError("--baud \(startBaud) is not a VC0706 baud; use one of \(VC0706.supportedBauds.map(String.init).joined(separator: ", "))")
            }
        case .ov528, .ucam3:
            if size != nil {
                throw ValidationError("--size is for the VC0706; OV528 and uCAM-III hosts choose the size themselves (INITIAL)")
            }
            if minimalClone { throw ValidationError("--minimal-clone is for the VC0706") }
            guard SerialConfiguration.standardBaudRates.contains(startBaud), OV528.Variant.ov528.baudDivisors(for: startBaud) != nil else {
                throw ValidationError("--baud \(startBaud) is not a baud the OV528 family can be set to; use one of \(OV528.searchBauds.map(String.init).joined(separator: ", "))")
            }
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
        let termination = ProcessSignals.termination()
        let clock = VirtualClock()
        let logger = options.makeLogger("vigil.emulate")
        var cameras: [any EmulatedCamera] = []
        var bridges: [PseudoTerminalBridge] = []
        var links: [String] = []
        defer {
            bridges.forEach { $0.stop() }
            links.forEach { try? FileManager.default.removeItem(atPath: $0) }
        }
        for index in 0..<count {
            let sceneValue = try SceneCatalog.scene(named: scene, seed: seed &+ UInt64(index))
            let serialLink = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: startBaud), name: "camera\(index)")
            let emulator = SimulatedBoard.emulator(
                camera, port: serialLink.device, scene: sceneValue, baud: startBaud, seed: seed &+ UInt64(index), size: imageSize ?? .vga,
                minimalClone: minimalClone)
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
            let started = Started(camera: index, model: camera.rawValue, path: bridge.path, link: linkPath, baud: startBaud, scene: sceneValue.name)
            if options.json { try Output.jsonLine(started) } else { print(bridge.path) }
            logger.info("camera \(index): \(camera.rawValue) at \(startBaud) baud on \(bridge.path), scene \(sceneValue.name)")
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
