import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one file-system layer of Vigil: publishing files atomically and durably (see
/// ``publish(_:to:)``), creating and removing folders and files, listing, examining, and free
/// space. Every failure is a ``FileError`` naming the call, the path and the `errno`.
///
/// Every system call goes through one helper that an ``observer`` can watch (and fail), so
/// tests can check the order of calls and meet a full disk without one.
public enum FileSystem {
    /// What a path names.
    public enum EntryKind: Sendable, Hashable {
        /// A regular file.
        case file
        /// A directory.
        case directory
        /// Anything else: a device, a socket, a pipe.
        case other
    }

    /// What `stat` says about a path.
    public struct Status: Sendable, Hashable {
        /// What the path names.
        public var kind: EntryKind
        /// The size in bytes.
        public var size: Int64
        /// The permission bits (`st_mode & 0o7777`).
        public var permissions: mode_t = 0
        /// The device of the file system holding it (`st_dev`): it changes when a folder's
        /// mount goes away and the mount point underneath shows.
        public var device: UInt64 = 0
    }

    // MARK: Examining

    /// What is at `path`, following symbolic links. Throws ``FileError/Kind/notFound`` when
    /// nothing is there.
    public static func status(of path: String) throws(FileError) -> Status {
        var info = stat()
        try posix("stat", path) { stat(path, &info) }
        let kind: EntryKind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        return Status(
            kind: kind, size: Int64(info.st_size), permissions: info.st_mode & 0o7777, device: UInt64(truncatingIfNeeded: info.st_dev))
    }

    /// What `path` names (following symbolic links), or nil when it cannot be examined.
    public static func kind(at path: String) -> EntryKind? {
        do { return try status(of: path).kind } catch { return nil }
    }

    /// Whether a regular file is at `path`.
    public static func isFile(_ path: String) -> Bool { kind(at: path) == .file }

    /// The size in bytes of what is at `path`, or nil when it cannot be examined.
    public static func size(of path: String) -> Int64? {
        do { return try status(of: path).size } catch { return nil }
    }

    /// Whether something is at `path` (following symbolic links). A path that cannot be
    /// examined for another reason than its absence (permissions) counts as existing, so that
    /// opening it reports the real problem.
    public static func exists(_ path: String) -> Bool {
        do {
            _ = try status(of: path)
            return true
        } catch {
            return error.kind != .notFound && error.kind != .notDirectory
        }
    }

    /// The names in the folder at `path`, without `.` and `..`, sorted.
    public static func contents(of path: String) throws(FileError) -> [String] {
        let stream = try perform("opendir", path) { () throws -> OpaquePointer in
            guard let stream = opendir(path) else { throw Errno(rawValue: errno) }
            return stream
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            // readdir returns NULL both at the end and on failure; only errno tells them apart.
            let entry = try perform("readdir", path) { () throws -> UnsafeMutablePointer<dirent>? in
                errno = 0
                let entry = readdir(stream)
                if entry == nil, errno != 0 { throw Errno(rawValue: errno) }
                return entry
            }
            guard let entry else { return names.sorted() }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// `path` with every symbolic link, `.` and `..` resolved; nil if it cannot be resolved.
    public static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `path` with every symbolic link, `.` and `..` resolved when that lies inside the folder
    /// `root` (itself resolved); nil when it leads out of `root` (a link pointing elsewhere) or
    /// either cannot be resolved (does not exist).
    public static func resolved(_ path: String, inside root: String) -> String? {
        guard let folder = resolvedPath(root), let file = resolvedPath(path) else { return nil }
        return file.hasPrefix(folder == "/" ? "/" : folder + "/") && file != folder ? file : nil
    }

    /// The absolute path of `path` with symbolic links, `.` and `..` resolved, when it or its
    /// folder exists; otherwise `path` itself. Compares paths written in different forms.
    public static func canonical(_ path: String) -> String {
        if let resolved = resolvedPath(path) { return resolved }
        if let folder = resolvedPath(parentDirectory(of: path)) { return join(folder, lastComponent(of: path)) }
        return path
    }

    /// Bytes available to unprivileged users on the file system holding `path` (statvfs's
    /// `f_bavail × f_frsize`, `Int64.max` if that overflows). Throws when `path` cannot be
    /// examined (``FileError/Kind/notFound`` when it does not exist).
    public static func freeSpace(at path: String) throws(FileError) -> Int64 {
        var info = statvfs()
        try posix("statvfs", path) { statvfs(path, &info) }
        let blocks = Int64(clamping: info.f_bavail)
        let blockSize = Int64(clamping: info.f_frsize)
        let (bytes, overflow) = blocks.multipliedReportingOverflow(by: blockSize)
        return overflow ? Int64.max : bytes
    }

    // MARK: Creating and removing

    /// Creates the folder `path` and any missing parents (like `mkdir -p`), flushing each
    /// parent that gained a folder so the new folders survive a power cut. Throws
    /// ``FileError/Kind/notDirectory`` if something other than a folder is in the way.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FileError) {
        if path.isEmpty { return }
        switch kind(at: path) {
        case .directory: return
        case .file, .other: throw FileError(errno: ENOTDIR, call: "mkdir", path: path)
        case nil: break
        }
        let parent = parentDirectory(of: path)
        if parent != path { try makeDirectories(parent, mode: mode) }
        do {
            try posix("mkdir", path) { mkdir(path, mode) }
        } catch where error.kind == .exists && kind(at: path) == .directory {
            return  // made meanwhile by someone else
        }
        try syncDirectory(parent)
    }

    /// The first `limit` bytes of the file at `path` (all of it when it is shorter).
    public static func readPrefix(of path: String, limit: Int) throws(FileError) -> [UInt8] {
        let input = try perform("open", path) { try FileDescriptor.open(path, .readOnly, options: [.closeOnExec]) }
        defer { closeAfterUse(input) }
        var bytes = [UInt8](repeating: 0, count: max(0, limit))
        var filled = 0
        while filled < bytes.count {
            let count = try perform("read", path) {
                try bytes.withUnsafeMutableBytes { try input.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            }
            if count == 0 { break }
            filled += count
        }
        return Array(bytes.prefix(filled))
    }

    /// Removes the file at `path`; returns its size, or nil when there was no file there.
    @discardableResult
    public static func removeFile(_ path: String) throws(FileError) -> Int64? {
        guard let size = size(of: path) else { return nil }
        do {
            try posix("unlink", path) { unlink(path) }
        } catch where error.kind == .notFound {
            return nil
        }
        return size
    }

    /// Removes the file at `path` if it can, for clean-up after another failure (the failure
    /// to report); a file it cannot remove stays.
    public static func removeIfPresent(_ path: String) {
        do { try removeFile(path) } catch {}
    }

    /// Removes the folder at `path` if it is empty; returns whether it was removed. Throws
    /// for failures other than the folder being absent or not empty.
    @discardableResult
    public static func removeDirectoryIfEmpty(_ path: String) throws(FileError) -> Bool {
        do {
            try posix("rmdir", path) { rmdir(path) }
            return true
        } catch where error.kind == .notFound || error.kind == .exists || error.errno == ENOTEMPTY {
            return false
        }
    }

    // MARK: Paths

    /// The folder part of `path` (`"/a/b"` → `"/a"`, `"b"` → `"."`, `"/b"` → `"/"`).
    public static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// The last component of `path`.
    public static func lastComponent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `base/name`, without doubling a slash.
    public static func join(_ base: String, _ name: String) -> String {
        base.hasSuffix("/") ? base + name : base + "/" + name
    }
}
