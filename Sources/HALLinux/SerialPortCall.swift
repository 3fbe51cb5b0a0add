import CSerialPort
import Glibc
import HAL

/// The one place a libserialport result is checked.
///
/// Runs `body`, retrying while it fails with `EINTR`, and returns its non-negative result (a
/// byte count for reads, writes and queue sizes). A negative `sp_return` becomes a
/// ``HALError`` naming `call` and `target`:
/// - `SP_ERR_FAIL`: the system error libserialport saw (`sp_last_error_code()`), its kind
///   chosen from the errno, with `sp_last_error_message()` as the message;
/// - `SP_ERR_ARG`: ``HALError/Kind/invalidArgument``;
/// - `SP_ERR_SUPP`: ``HALError/Kind/unsupported``;
/// - `SP_ERR_MEM` (or anything else): ``HALError/Kind/io``.
@discardableResult
func serialPortCall(_ call: String, target: String?, _ body: () -> sp_return) throws(HALError) -> Int {
    while true {
        let result = body()
        if result.rawValue >= 0 { return Int(result.rawValue) }
        switch result {
        case SP_ERR_FAIL:
            let code = sp_last_error_code()
            if code == EINTR { continue }
            var message: String?
            if let text = sp_last_error_message() {
                message = String(cString: text)
                sp_free_error_message(text)
            }
            throw HALError.system(code, operation: call, target: target, message: message)
        case SP_ERR_ARG:
            throw HALError(
                .invalidArgument, operation: call, target: target, message: "libserialport rejected an argument")
        case SP_ERR_SUPP:
            throw HALError(.unsupported, operation: call, target: target, message: "libserialport cannot do this here")
        default:
            throw HALError(.io, operation: call, target: target, message: "libserialport ran out of memory")
        }
    }
}
