import ArgumentParser
import CameraDrivers

/// `vigil probe`: what camera is on a port, at what baud.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Find the camera on a serial port: model, baud and version.",
        discussion: "Tries each baud in turn; a camera that answers nowhere is reset at each baud (SYSTEM_RESET), as the host libraries do. The camera is left at the baud it was found at, or at 38400 after a reset.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var camera: CameraOptions

    func run() async throws {
        let context = try NodeContext(options: options)
        let info = try await context.withCamera(camera, preferFastest: false) { _, info in info }
        if options.json { return try Output.json(info) }
        print("\(info.model) on \(info.port) at \(info.baud) baud, firmware \"\(info.version)\", \(info.width)x\(info.height), compression \(info.compression)")
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
            let info = try await NodeContext(options: options).withCamera(camera) { _, info in info }
            if options.json { return try Output.json(info) }
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

        @Option(help: "Image size, such as 640x480, 320x240 or 160x120.")
        var size: String?

        @Option(help: "Compression, 0 to 255; larger makes smaller files (the libraries use 53).")
        var compression: Int?

        func validate() throws {
            if let size, parseSize(size) == nil { throw ValidationError("--size must be WIDTHxHEIGHT, such as 640x480") }
            if size == nil && compression == nil { throw ValidationError("give --size, --compression or both") }
            if let compression, !(0...255).contains(compression) { throw ValidationError("--compression must be 0 to 255") }
        }

        func run() async throws {
            let wanted = size.flatMap(parseSize)
            let compression = compression
            let info = try await NodeContext(options: options).withCamera(camera) { camera, _ in
                try await camera.configure(CameraSettings(width: wanted?.0, height: wanted?.1, compression: compression))
                return try await camera.info()
            }
            if options.json { return try Output.json(info) }
            print("\(info.model): \(info.width)x\(info.height), compression \(info.compression), \(info.baud) baud")
        }
    }
}
