import Foundation

/// A camera's health as last recorded by the recorder: one row per camera, replaced on each report.
public struct CameraHealth: Sendable, Hashable, Codable {
    /// The camera's name (`[A-Za-z0-9_-]+`); the row's key.
    public var camera: String
    /// Whether the recorder is receiving frames from it.
    public var connected: Bool
    /// Errors seen since the recorder started.
    public var errors: Int
    /// Reconnections since the recorder started.
    public var reconnects: Int
    /// The latest error's text, if any.
    public var lastError: String?
    /// Wall-clock time of the latest frame received, if any.
    public var lastFrame: Date?
    /// Wall-clock time of this report.
    public var updated: Date

    /// Makes a health report.
    public init(
        camera: String, connected: Bool, errors: Int = 0, reconnects: Int = 0,
        lastError: String? = nil, lastFrame: Date? = nil, updated: Date
    ) {
        self.camera = camera
        self.connected = connected
        self.errors = errors
        self.reconnects = reconnects
        self.lastError = lastError
        self.lastFrame = lastFrame
        self.updated = updated
    }
}
