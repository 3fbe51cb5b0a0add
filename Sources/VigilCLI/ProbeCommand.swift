import ArgumentParser
import BoardSupport
import CameraDrivers
import Node

/// `vigil probe`: what camera is on a port, at what baud.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Find the camera on a serial port: model (vc0706, ov528 or ucam3), baud and version.",
        discussion: """
            Without --camera, tells the models apart: a VC0706 answers GEN_VERSION; an OV528 or \
            uCAM-III answers SYNC (sent as the uCAM hosts do, up to 60 times), and a uCAM-III \
            takes SLEEP where an OV528 refuses it. Each baud is tried in turn; a VC0706 that \
            answers nowhere is reset at each baud (SYSTEM_RESET), as the host libraries do. The \
            camera is left at the baud it was found at (a VC0706 at 38400 after a reset).
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var camera: CameraOptions

    func run() async throws {
        let context = try NodeHardware(options: options)
        let info = try await context.withCamera(camera, preferFastest: false, detect: true) { _, info in info }
        if options.json { return try Output.json(info) }
        Output.warnings(info.warnings)
        let compression = info.model == CameraModel.vc0706.rawValue ? ", compression \(info.compression)" : ""
        print("\(info.model) on \(info.port) at \(info.baud) baud, firmware \"\(info.version)\", \(info.width)x\(info.height)\(compression)")
    }
}

/// `vigil camera info|set`.
struct CameraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camera",
        abstract: "Show or change the camera's settings.",
        subcommands: [Info.self, Set.self])

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the camera's model, firmware, baud, image size and compression.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var camera: CameraOptions

        func run() async throws {
            let info = try await NodeHardware(options: options).withCamera(camera) { _, info in info }
            if options.json { return try Output.json(info) }
            Output.warnings(info.warnings)
            Output.table([
                ["model", info.model], ["firmware", info.version], ["port", info.port], ["baud", "\(info.baud)"],
                ["size", "\(info.width)x\(info.height)"], ["compression", "\(info.compression)"],
            ])
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change image size and compression (the camera resets to apply them).")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var camera: CameraOptions

        @Option(help: "Image size, such as 640x480, 320x240 or 160x120 (uCAM-III: 160x128; OV528: also 80x60).")
        var size: String?

        @Option(help: "Compression, 0 to 255; larger makes smaller files (the libraries use 53). VC0706 only.")
        var compression: Int?

        func validate() throws {
            if let size, NodeConfiguration.frameSize(size) == nil { throw ValidationError("--size must be WIDTHxHEIGHT, such as 640x480") }
            if size == nil && compression == nil { throw ValidationError("give --size, --compression or both") }
            if let compression, !(0...255).contains(compression) { throw ValidationError("--compression must be 0 to 255") }
        }

        func run() async throws {
            let wanted = size.flatMap(NodeConfiguration.frameSize)
            let compression = compression
            let info = try await NodeHardware(options: options).withCamera(camera) { camera, _ in
                try await camera.configure(CameraSettings(width: wanted?.0, height: wanted?.1, compression: compression))
                return try await camera.info()
            }
            if options.json { return try Output.json(info) }
            Output.warnings(info.warnings)
            print("\(info.model): \(info.width)x\(info.height), compression \(info.compression), \(info.baud) baud")
        }
    }
}
