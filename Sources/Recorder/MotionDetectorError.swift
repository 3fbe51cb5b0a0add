import JPEG

/// Why a ``MotionDetector`` could not be made or could not analyse a frame.
public enum MotionDetectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The frame could not be decoded (corrupt, truncated, not a JPEG, too large). The
    /// detector's state is as it was before the frame.
    case decode(JPEGError)
    /// A setting is out of range: `setting` names it, `reason` says why.
    case invalidSettings(setting: String, reason: String)

    public var description: String {
        switch self {
        case .decode(let error): "motion detection could not decode the frame: \(error)"
        case .invalidSettings(let setting, let reason): "motion detection setting \(setting): \(reason)"
        }
    }
}
