import Foundation
import Node

/// What a message on a camera's command topic (`PREFIX/NODE/CAMERA/FEATURE/set`) asks for,
/// read from its feature and payload alone; whether the camera exists is the bridge's to check.
public enum MQTTCommand: Sendable, Hashable {
    /// Start (or extend) an event, for the payload's duration or the camera's default (empty payload).
    case trigger(Duration?)
    /// Publish a fresh frame on the camera's snapshot topic.
    case snapshot
    /// Set the IR illuminator: on, off or auto.
    case illuminator(NodeConfiguration.IRMode)

    /// The longest payload taken; anything longer is refused unread.
    public static let maximumPayload = 256

    /// Parses a command; throws a ``NodeError`` saying what is wrong with anything else (an
    /// unknown feature, a payload over ``maximumPayload`` bytes or not UTF-8, a duration or IR
    /// mode that does not parse). Never traps, whatever the bytes.
    public static func parse(feature: String, payload: [UInt8]) throws(NodeError) -> MQTTCommand {
        guard payload.count <= maximumPayload, let text = String(validating: payload, as: UTF8.self) else {
            throw NodeError("the payload must be UTF-8 text of at most \(maximumPayload) bytes")
        }
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        switch feature {
        case "trigger":
            guard !word.isEmpty else { return .trigger(nil) }
            guard let duration = Duration(humanReadable: word) else {
                throw NodeError("'\(text)' is not a duration such as 30s, 2m or 90")
            }
            return .trigger(duration)
        case "snapshot":
            return .snapshot
        case "ir":
            guard let mode = NodeConfiguration.IRMode(rawValue: word), mode != .schedule else {
                throw NodeError("'\(text)' is not an IR mode: on, off or auto")
            }
            return .illuminator(mode)
        default:
            throw NodeError("unknown command '\(feature)'; commands: trigger, snapshot, ir")
        }
    }
}
