#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of the file-system layer: what went wrong, the call that failed, the path
/// it acted on and the `errno`.
///
/// ``kind`` tells a full disk, a read-only file system, a refused permission and a missing file
/// apart, so that every module reports a full disk as a full disk; ``description`` says it in
/// words a user understands: `disk full writing /data/gate/snapshot.jpg (write: ENOSPC)`.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarsely enough for callers to decide what to do next.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The file system is full (`ENOSPC`) or the user's quota is used up (`EDQUOT`).
        case diskFull
        /// The file system is mounted read-only (`EROFS`).
        case readOnly
        /// The caller may not do this (`EACCES`, `EPERM`).
        case permissionDenied
        /// The file or a directory on its path does not exist (`ENOENT`).
        case notFound
        /// Something is already there (`EEXIST`).
        case exists
        /// A component of the path is not a directory (`ENOTDIR`).
        case notDirectory
        /// The device reported an input/output error (`EIO`).
        case io
        /// Any other failure; ``FileError/errno`` says which.
        case other

        /// The kind that describes a system error number.
        public init(errno: Int32) {
            switch errno {
            case ENOSPC, EDQUOT: self = .diskFull
            case EROFS: self = .readOnly
            case EACCES, EPERM: self = .permissionDenied
            case ENOENT: self = .notFound
            case EEXIST: self = .exists
            case ENOTDIR: self = .notDirectory
            case EIO: self = .io
            default: self = .other
            }
        }
    }

    /// What went wrong.
    public var kind: Kind
    /// The system call that failed, for example `write`, `rename` or `fsync`.
    public var call: String
    /// The path the call acted on (for `rename`, the destination).
    public var path: String
    /// The system's error number.
    public var errno: Int32

    /// An error for `call` on `path` failing with `errno`; the kind follows from the number.
    public init(errno: Int32, call: String, path: String) {
        self.kind = Kind(errno: errno)
        self.call = call
        self.path = path
        self.errno = errno
    }

    /// `<what> <doing> <path> (<call>: <ERRNO>)`, for example
    /// `disk full writing /data/a.jpg (write: ENOSPC)`.
    public var description: String {
        "\(summary) \(Self.activity(of: call)) \(path) (\(call): \(Self.symbol(of: errno)))"
    }

    /// The kind in words, or the system's text for ``Kind/other``.
    public var summary: String {
        switch kind {
        case .diskFull: "disk full"
        case .readOnly: "read-only file system"
        case .permissionDenied: "permission denied"
        case .notFound: "no such file or directory"
        case .exists: "already exists"
        case .notDirectory: "not a directory"
        case .io: "input/output error"
        case .other: String(cString: strerror(errno)).lowercased()
        }
    }

    private static func activity(of call: String) -> String {
        switch call {
        case "open": "opening"
        case "read": "reading"
        case "write": "writing"
        case "fsync": "flushing"
        case "close": "closing"
        case "rename": "renaming to"
        case "mkdir": "creating directory"
        case "unlink": "removing"
        case "rmdir": "removing directory"
        case "stat": "examining"
        case "statvfs": "measuring free space of"
        case "opendir", "readdir": "listing"
        case "realpath": "resolving"
        default: "in \(call) of"
        }
    }

    /// The symbolic name of the error numbers a file operation meets, else `errno N`.
    private static func symbol(of code: Int32) -> String {
        switch code {
        case ENOSPC: "ENOSPC"
        case EDQUOT: "EDQUOT"
        case EROFS: "EROFS"
        case EACCES: "EACCES"
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        case EEXIST: "EEXIST"
        case ENOTDIR: "ENOTDIR"
        case EISDIR: "EISDIR"
        case EIO: "EIO"
        case ENOTEMPTY: "ENOTEMPTY"
        case EXDEV: "EXDEV"
        case EINVAL: "EINVAL"
        case EBADF: "EBADF"
        case EMFILE: "EMFILE"
        case ENFILE: "ENFILE"
        case ENAMETOOLONG: "ENAMETOOLONG"
        case ELOOP: "ELOOP"
        case EBUSY: "EBUSY"
        default: "errno \(code)"
        }
    }
}
