/// A failure of the JPEG codec: a libturbojpeg call that failed, or an argument it was never
/// given because it could not be valid.
///
/// `call` names the C function (`tjCompress2`, `tjDecompressHeader3`, ...) or, for argument
/// checks made before any C call, the Swift API (`JPEGCodec.encode`, `Image.init`); `message` is
/// libturbojpeg's own error string (from `tjGetErrorStr2`) or the argument check's explanation.
public struct JPEGError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How bad the failure was.
    public enum Severity: String, Sendable, Hashable {
        /// libturbojpeg finished but reported a problem with the data (for example a truncated
        /// stream): the output may be partly grey, so it is not returned.
        case warning
        /// The call failed or the arguments were invalid.
        case fatal
    }

    /// The C call or Swift API that failed.
    public var call: String
    /// What went wrong, in libturbojpeg's words where it said.
    public var message: String
    public var severity: Severity

    public init(call: String, message: String, severity: Severity = .fatal) {
        self.call = call
        self.message = message
        self.severity = severity
    }

    public var description: String {
        "\(call) failed\(severity == .warning ? " (warning)" : ""): \(message)"
    }

    /// An argument error raised by the Swift API before any C call.
    static func invalidArgument(_ api: String, _ message: String) -> JPEGError {
        JPEGError(call: api, message: message)
    }
}
