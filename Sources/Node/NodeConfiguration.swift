import BoardSupport
import CameraDrivers
import EventStore
import Foundation
import Recorder

/// What a ``CameraNode`` runs (`vigil record --config`): read from a YAML file (`--config`), then overridden by flags.
/// Every field has a default, so an empty file (or none) records the board's camera.
/// `Tools/vigil.yaml` is the commented example.
public struct NodeConfiguration: Sendable, Equatable {
    public struct Camera: Sendable, Equatable {
        public init() {}

        /// The name its files and events carry.
        public var name = "camera"
        /// Default: the board's camera device.
        public var port: String?
        /// Default: the board's camera model.
        public var model: CameraModel?
        /// The baud to try first. Default: the board's.
        public var baud: Int?
        public var maxBaud = 115200
        public var width = 320
        public var height = 240
        public var compression: Int?
        public var verify = false
    }

    /// Software motion detection on the frames.
    public struct Motion: Sendable, Equatable {
        public init() {}

        public var enabled = true
        public var settings = MotionDetectorSettings()
    }

    public struct Triggers: Sendable, Equatable {
        public init() {}

        public var pir = true
        public var cameraMotion = true
        public var tamper = true
        public var motion = Motion()
    }

    public struct Hooks: Sendable, Equatable {
        public init() {}

        public var commands: [HookKind: String] = [:]
        public var timeout = Duration.seconds(30)
    }

    public enum IRMode: String, Sendable, CaseIterable {
        case auto, on, off, schedule
    }

    public struct Outputs: Sendable, Equatable {
        public init() {}

        public var statusLED = true
        public var ir = IRMode.auto
        /// Auto: on below this brightness (0...255), off above ``irOffAbove``.
        public var irOnBelow = 40.0
        public var irOffAbove = 60.0
        /// Schedule: minutes after midnight, local time; may cross midnight.
        public var irFrom = 19 * 60
        public var irTo = 7 * 60
    }

    public var board: String?
    public var storage: String?
    public var retention = RetentionPolicy(minFreeBytes: 256_000_000)
    public var cameras = [Camera()]
    public var events = EventMachine<CapturedFrame>.Settings()
    public var triggers = Triggers()
    public var hooks = Hooks()
    public var outputs = Outputs()
    /// Whether a line or device the configuration asks for (PIR, tamper, camera power) that
    /// cannot be had fails start-up (true), or the node runs without it, saying so in the log
    /// and in its status (false). A line the board does not have at all is never asked for.
    public var requireHardware = true
    /// `vigil record`'s HTTP interface.
    public var http = HTTP()
    /// The MQTT client's settings; nil (no `mqtt:`) publishes nothing.
    public var mqtt: MQTT?

    public init() {}
}

extension NodeConfiguration {
    /// The largest frame side taken from a `WxH` size: beyond any serial camera's.
    public static let largestFrameSide = 4096

    /// A frame size written `WxH` (`320x240`), each side from 1 to ``largestFrameSide``; nil
    /// for anything else.
    public static func frameSize(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let width = parts[0], let height = parts[1],
              (1...largestFrameSide).contains(width), (1...largestFrameSide).contains(height)
        else { return nil }
        return (width, height)
    }
}

extension NodeConfiguration {
    /// The top-level sections (by their keys in the file) other than `cameras` and `storage`
    /// in which `a` and `b` differ.
    static func sectionsDiffering(_ a: NodeConfiguration, _ b: NodeConfiguration) -> [String] {
        var sections: [String] = []
        if a.board != b.board { sections.append("board") }
        if a.retention != b.retention { sections.append("retention") }
        if a.events != b.events { sections.append("events") }
        if a.triggers != b.triggers { sections.append("triggers") }
        if a.hooks != b.hooks { sections.append("hooks") }
        if a.outputs != b.outputs { sections.append("outputs") }
        if a.requireHardware != b.requireHardware { sections.append("require-hardware") }
        return sections
    }
}
