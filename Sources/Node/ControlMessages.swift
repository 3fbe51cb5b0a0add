import Foundation
import Recorder

/// A request on the recorder's control socket: one JSON object on one line.
public struct ControlRequest: Sendable, Hashable, Codable {
    public enum Command: String, Sendable, Hashable, Codable {
        /// Answer with the ``RecorderStatus``.
        case status
        /// Start (or prolong) an event: manual trigger.
        case trigger
    }

    public var command: Command
    /// For `trigger`: the camera (all cameras when nil).
    public var camera: String?
    /// For `trigger`: how long the manual activity lasts, in seconds (an instant when nil).
    public var seconds: Double?

    public init(command: Command, camera: String? = nil, seconds: Double? = nil) {
        self.command = command
        self.camera = camera
        self.seconds = seconds
    }
}

/// The answer to a ``ControlRequest``: one JSON object on one line.
public struct ControlResponse: Sendable, Hashable, Codable {
    public var ok: Bool
    public var error: String?
    public var status: RecorderStatus?
    /// For `trigger`: the cameras triggered.
    public var triggered: [String]?

    public init(ok: Bool, error: String? = nil, status: RecorderStatus? = nil, triggered: [String]? = nil) {
        self.ok = ok
        self.error = error
        self.status = status
        self.triggered = triggered
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
