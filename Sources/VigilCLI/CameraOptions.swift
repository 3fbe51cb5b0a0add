import ArgumentParser
import BoardSupport
import CameraDrivers
import Node

/// Which camera a camera command talks to: the board's, or one named on the command line.
struct CameraOptions: ParsableArguments {
    @Option(help: "The camera's serial port (default: the board's camera device).")
    var port: String?

    @Option(help: "The camera model on --port: vc0706, ov528 or ucam3 (default: found out on --port, the board's otherwise).")
    var camera: CameraModel?

    @Option(help: "The baud to try first (default: the board's); other bauds are probed.")
    var baud: Int?

    @Option(help: "The fastest baud to move the camera to (default: 115200).")
    var maxBaud: Int?

    @Flag(help: "Read each frame twice and compare (evidence grade; twice the transfer time).")
    var verify = false
}

extension CameraModel: ExpressibleByArgument {}

extension NodeHardware {
    /// Opens the camera the options name, makes its driver and connects, then runs `body` with
    /// it. Without `--camera`, on a `--port` of its own or with `detect`, whatever camera
    /// answers is found (VC0706, OV528 or uCAM-III); otherwise the board's model is taken.
    func withCamera<T: Sendable>(
        _ options: CameraOptions, preferFastest: Bool = true, detect: Bool = false,
        _ body: @Sendable @escaping (any Camera, CameraInfo) async throws -> T
    ) async throws -> T {
        try await withCamera(cameraPlan(options, preferFastest: preferFastest, detect: detect), body)
    }

    /// Checks the camera options against the board and takes the camera's power line.
    func cameraPlan(_ options: CameraOptions, preferFastest: Bool = true, detect: Bool = false) throws -> CameraPlan {
        try cameraPlan(
            port: options.port, model: options.camera, baud: options.baud, maxBaud: options.maxBaud ?? 115200, verify: options.verify,
            preferFastest: preferFastest, detect: detect)
    }
}
