/// A hook configuration the ``HookRunner`` cannot accept.
public enum HookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `setting` is out of range for `reason`.
    case invalidSettings(setting: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSettings(let setting, let reason): "hook setting \(setting): \(reason)"
        }
    }
}
