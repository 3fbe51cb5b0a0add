import CAVFormat
import CMatroska
import Files

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure of a movie operation: a libav or libmatroska call that failed, a file-system call
/// that failed, or an argument or frame refused before anything was written.
///
/// `call` names the C function (`open`, `write`, `av_read_frame`, `rename`, ...) or, for checks
/// made before any C call, the Swift API (`MovieWriter.append`); `message` is av_strerror's (or
/// strerror's) text, or the check's explanation; `path` is the file concerned.
public struct MovieError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is, for callers that react differently to each.
    public enum Kind: String, Sendable, Hashable {
        /// The file system is full (`ENOSPC`) or the user's quota is exhausted (`EDQUOT`).
        case diskFull
        /// The file or a directory on its path does not exist (`ENOENT`).
        case notFound
        /// Any other input/output or permission failure of the file system.
        case io
        /// A frame handed to ``MovieWriter/append(jpeg:at:)`` is not a whole JPEG of the movie's
        /// size. Nothing was written; the writer is still usable.
        case invalidFrame
        /// A frame's time is earlier than the previous frame's. Nothing was written; the writer
        /// is still usable.
        case timestampOrder
        /// An argument can never be valid (a size out of range, an empty path, ...).
        case invalidArgument
        /// The file is not a movie this module can read: no MJPEG video stream, no readable
        /// frame, or data libavformat cannot parse.
        case invalidMovie
        /// The writer was already finished, abandoned, or closed by an earlier failure.
        case closed
        /// Any other library failure (out of memory, an unexpected internal error).
        case library
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The C call or Swift API that failed.
    public var call: String
    /// What went wrong, in av_strerror's or strerror's words where a C call failed.
    public var message: String
    /// The file the operation concerned, if any.
    public var path: String?
    /// The libav error code (a negative `AVERROR` value) when a libav call failed, or the
    /// negated `errno` when a POSIX call failed; nil for checks made in Swift.
    public var code: Int32?

    /// An error with the given parts (the module makes its own; this is for callers' tests).
    public init(kind: Kind, call: String, message: String, path: String? = nil, code: Int32? = nil) {
        self.kind = kind
        self.call = call
        self.message = message
        self.path = path
        self.code = code
    }

    /// "`call` failed for `path`: `message` [`kind`]".
    public var description: String {
        "\(call) failed\(path.map { " for \($0)" } ?? ""): \(message) [\(kind.rawValue)]"
    }

    /// The error for a libav call that returned the negative `code`.
    static func libav(_ call: String, _ code: Int32, path: String?) -> MovieError {
        MovieError(kind: kind(ofAVError: code), call: call, message: LibAV.message(code), path: path, code: code)
    }

    /// The error for a failure of the Matroska writer (CMatroska): a system call's errno in
    /// this module's terms (a full disk stays ``Kind/diskFull``) with strerror's text, or a
    /// library failure (``Kind/library``) with its message.
    init(_ failure: vigil_mkv_failure, path: String) {
        let call = withUnsafeBytes(of: failure.call) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let message = withUnsafeBytes(of: failure.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if failure.errnum != 0 {
            self.init(kind: Self.kind(ofErrno: failure.errnum), call: call, message: message, path: path, code: -failure.errnum)
        } else {
            self.init(kind: .library, call: call, message: message, path: path)
        }
    }

    /// The error for a failed file-system call: its kind in this module's terms (a full disk
    /// stays ``Kind/diskFull``), its call and path, its description as the message and the
    /// negated `errno` as the code.
    init(_ error: FileError) {
        self.init(
            kind: Self.kind(of: error.kind), call: error.call, message: error.description, path: error.path,
            code: -error.errno)
    }

    static func kind(ofAVError code: Int32) -> Kind {
        // Invalid data, or a file that ends before its first frame.
        if code == LibAV.invalidData || code == LibAV.endOfFile { return .invalidMovie }
        // AVERROR(e) is -e on every platform libav supports with POSIX errno values.
        return code < 0 && code > -4096 ? kind(ofErrno: -code) : .library
    }

    static func kind(ofErrno number: Int32) -> Kind {
        number == ENOMEM ? .library : kind(of: FileError.Kind(errno: number))
    }

    static func kind(of kind: FileError.Kind) -> Kind {
        switch kind {
        case .diskFull: .diskFull
        case .notFound: .notFound
        case .readOnly, .permissionDenied, .exists, .notDirectory, .io, .other: .io
        }
    }
}
