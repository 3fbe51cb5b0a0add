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
    /// libmosquitto loaded (with dlopen: it maps OpenSSL, which a node without MQTT does not
    /// need) and `mosquitto_lib_init` run, once in the process before the first client.
    private static let initialized: Result<Void, MQTTError> = {
        var buffer = [CChar](repeating: 0, count: 512)
        let count = buffer.count
        let status = buffer.withUnsafeMutableBufferPointer { vigil_mosquitto_load($0.baseAddress, count) }
        guard status == 0 else {
            let message = buffer.withUnsafeBufferPointer { $0.baseAddress.map { String(cString: $0) } ?? "unknown error" }
            return .failure(MQTTError(
                call: message.hasPrefix("dlsym") ? "dlsym" : "dlopen", code: -1,
                message: "libmosquitto could not be loaded: \(message)"))
        }
        let result = vigil_mosquitto_lib_init()
        return result == success ? .success(()) : .failure(error("mosquitto_lib_init", result))
    }()

    /// Loads and initializes libmosquitto on the first call; throws what went wrong then.
    static func initialize() throws(MQTTError) { try initialized.get() }

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
            ? String(cString: strerror(errno)) : String(cString: vigil_mosquitto_strerror(result))
        return MQTTError(call: name, code: result, message: message)
    }

    /// What a broker's CONNACK code means (`mosquitto_connack_string`, or the MQTT 5 reason).
    static func connackDescription(_ code: Int32) -> String {
        String(cString: vigil_mosquitto_connack_string(code))
    }
}
