import CMosquitto
import Foundation

/// A libmosquitto call that failed: the call's name, its return code and libmosquitto's words
/// for it (the system's, for `MOSQ_ERR_ERRNO`).
public struct MQTTError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let code: Int32
    public let message: String

    public init(call: String, code: Int32, message: String) {
        self.call = call
        self.code = code
        self.message = message
    }

    public var description: String { "\(call) failed: \(message) (code \(code))" }
}

/// The one place libmosquitto's return codes become ``MQTTError``s.
enum Mosquitto {
    /// `mosquitto_lib_init`, run once in the process before the first client.
    static let initialized: Bool = { mosquitto_lib_init() == success }()

    static let success = code(MOSQ_ERR_SUCCESS)
    static let noConnection = code(MOSQ_ERR_NO_CONN)

    static func code(_ value: mosq_err_t) -> Int32 { Int32(truncatingIfNeeded: value.rawValue) }

    /// Runs `body` (a libmosquitto call named `name`) and throws its failure.
    static func call(_ name: String, _ body: () -> Int32) throws(MQTTError) {
        let result = body()
        guard result == success else { throw error(name, result) }
    }

    static func error(_ name: String, _ result: Int32) -> MQTTError {
        let message =
            result == code(MOSQ_ERR_ERRNO)
            ? String(cString: strerror(errno)) : String(cString: mosquitto_strerror(result))
        return MQTTError(call: name, code: result, message: message)
    }

    /// What a broker's CONNACK code means (`mosquitto_connack_string`, or the MQTT 5 reason).
    static func connackDescription(_ code: Int32) -> String {
        String(cString: mosquitto_connack_string(code))
    }
}
