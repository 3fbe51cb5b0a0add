import BoardSupport
import CameraDrivers
import EventStore
import Foundation
import Recorder

/// What `vigil record` runs: read from a YAML file (`--config`), then overridden by flags.
/// Every field has a default, so an empty file (or none) records the board's camera.
/// `Tools/vigil.yaml` is the commented example.
struct NodeConfiguration: Sendable {
    struct Camera: Sendable {
        /// The name its files and events carry.
        var name = "camera"
        /// Default: the board's camera device.
        var port: String?
        /// Default: the board's camera model.
        var model: CameraModel?
        /// The baud to try first. Default: the board's.
        var baud: Int?
        var maxBaud = 115200
        var width = 320
        var height = 240
        var compression: Int?
        var verify = false
    }

    /// Software motion detection on the frames.
    struct Motion: Sendable {
        var enabled = true
        var settings = MotionDetectorSettings()
    }

    struct Triggers: Sendable {
        var pir = true
        var cameraMotion = true
        var tamper = true
        var motion = Motion()
    }

    struct Hooks: Sendable {
        var commands: [HookKind: String] = [:]
        var timeout = Duration.seconds(30)
    }

    enum IRMode: String, Sendable, CaseIterable {
        case auto, on, off, schedule
    }

    struct Outputs: Sendable {
        var statusLED = true
        var ir = IRMode.auto
        /// Auto: on below this brightness (0...255), off above ``irOffAbove``.
        var irOnBelow = 40.0
        var irOffAbove = 60.0
        /// Schedule: minutes after midnight, local time; may cross midnight.
        var irFrom = 19 * 60
        var irTo = 7 * 60
    }

    var board: String?
    var storage: String?
    var retention = RetentionPolicy(minFreeBytes: 256_000_000)
    var cameras = [Camera()]
    var events = EventMachine<CapturedFrame>.Settings()
    var triggers = Triggers()
    var hooks = Hooks()
    var outputs = Outputs()
}
