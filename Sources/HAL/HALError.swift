#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of the hardware-abstraction layer.
///
/// Every failure names the `operation` that failed (a C call such as `sp_open`, or a HAL
/// operation such as `request-lines`), the `target` it acted on (a device path, a line name)
/// and, where the system reported one, the `errno`. Generic code branches on ``kind``.
public struct HALError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarsely enough for callers to decide what to do next.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The device, chip, line or port does not exist.
        case notFound
        /// The caller may not open or use it.
        case permissionDenied
        /// Another user holds it (a requested line, a locked port).
        case busy
        /// An argument or configuration the backend cannot accept.
        case invalidArgument
        /// A deadline passed before the operation completed.
        case timedOut
        /// The device went away while in use (an unplugged USB adapter).
        case disconnected
        /// The backend or device cannot do this at all.
        case unsupported
        /// The object was closed or released before this call.
        case closed
        /// The waiting task was cancelled.
        case cancelled
        /// Any other input/output failure.
        case io
    }

    public var kind: Kind
    /// The call or operation that failed, for example `sp_open` or `tcsetattr`.
    public var operation: String
    /// The device, path or line the operation acted on.
    public var target: String?
    /// The system's error number, where there was one.
    public var errno: Int32?
    /// Extra human-readable detail.
    public var message: String?

    public init(
        _ kind: Kind, operation: String, target: String? = nil, errno: Int32? = nil,
        message: String? = nil
    ) {
        self.kind = kind
        self.operation = operation
        self.target = target
        self.errno = errno
        self.message = message
    }

    /// Builds an error from a system error number, choosing the kind that fits it.
    public static func system(
        _ errno: Int32, operation: String, target: String? = nil, message: String? = nil
    ) -> HALError {
        HALError(Kind(errno: errno), operation: operation, target: target, errno: errno, message: message)
    }

    public var description: String {
        var text = operation
        if let target { text += "(\(target))" }
        text += ": "
        if let message { text += message }
        if let errno {
            if message != nil { text += ": " }
            text += "\(String(cString: strerror(errno))) (errno \(errno))"
        } else if message == nil {
            text += kind.rawValue
        }
        return text
    }
}

extension HALError.Kind {
    /// The kind that best describes a system error number.
    public init(errno: Int32) {
        switch errno {
        case ENOENT: self = .notFound
        case EACCES, EPERM: self = .permissionDenied
        case EBUSY, EAGAIN: self = .busy
        case EINVAL, ERANGE: self = .invalidArgument
        case ETIMEDOUT: self = .timedOut
        case ENODEV, ENXIO, EIO, EPIPE: self = .disconnected
        case ENOTTY, EOPNOTSUPP, ENOSYS: self = .unsupported
        case EBADF: self = .closed
        case ECANCELED: self = .cancelled
        default: self = .io
        }
    }
}
