import HAL

/// Why a camera operation failed.
public struct CameraError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Nothing answered on the port at any baud tried.
        case noCamera
        /// The camera stopped answering within the time the transfer needed.
        case timedOut
        /// The camera answered something the protocol does not allow.
        case protocolViolation
        /// The camera refused a request (a non-zero status).
        case rejected
        /// A frame failed its checks (length, JPEG markers, decode, or two reads differed)
        /// on every attempt.
        case corruptFrame
        /// The camera keeps sending and will not listen until it stops (a request it
        /// misheard asked for far more than a frame) or is power-cycled.
        case busy
        /// The camera or driver cannot do what was asked.
        case unsupported
        /// The serial port failed.
        case port
        /// The operation was cancelled.
        case cancelled
    }

    public var kind: Kind
    public var message: String
    /// The port error underneath, for ``Kind/port``.
    public var underlying: HALError?

    public init(_ kind: Kind, _ message: String, underlying: HALError? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }

    init(_ error: HALError) {
        self.init(error.kind == .cancelled ? .cancelled : .port, error.description, underlying: error)
    }

    public var description: String { message }
}
