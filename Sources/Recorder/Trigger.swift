import HAL

/// What can start or prolong an event.
public enum TriggerSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// The camera's own motion detection.
    case cameraMotion = "camera-motion"
    /// The PIR sensor's line: motion for as long as it is active.
    case pir
    /// Software motion detection on the frames.
    case motion
    /// The tamper switch opened.
    case tamper
    /// `vigil trigger`, or the control socket.
    case manual
}

/// One report of activity from a trigger source.
public struct Trigger: Sendable, Hashable {
    /// Whether the report is a moment of activity or the start or end of a span of it.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Activity at one moment (a camera motion message, a manual trigger, tamper).
        case instant
        /// Activity that goes on until the same source reports ``ended`` (a PIR line going active).
        case began
        /// The end of the source's span of activity (the PIR line going inactive).
        case ended
    }

    public var source: TriggerSource
    public var time: MonotonicInstant
    public var phase: Phase

    public init(_ source: TriggerSource, at time: MonotonicInstant, phase: Phase = .instant) {
        self.source = source
        self.time = time
        self.phase = phase
    }
}
