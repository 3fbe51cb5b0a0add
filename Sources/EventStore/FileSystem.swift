#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX wrappers whose failures become ``EventStoreError``s carrying `errno`.
enum FileSystem {
    /// What a path names.
    enum Kind: Equatable {
        case file
        case directory
        case other
    }

    /// The kind of object at `path` (following symbolic links), or nil when nothing is there.
    static func kind(at path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Whether a regular file exists at `path`.
    static func isFile(_ path: String) -> Bool { kind(at: path) == .file }

    /// The size in bytes of the file at `path`, or nil when there is none.
    static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// Creates `path` and any missing parents (like `mkdir -p`).
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(EventStoreError) {
        if path.isEmpty { return }
        switch kind(at: path) {
        case .directory: return
        case .file, .other:
            throw EventStoreError.system(ENOTDIR, operation: "create directory", path: path)
        case nil: break
        }
        let parent = parentDirectory(of: path)
        if parent != path, !parent.isEmpty {
            try makeDirectories(parent, mode: mode)
        }
        if mkdir(path, mode) != 0 {
            let code = errno
            if code == EEXIST, kind(at: path) == .directory { return }
            throw EventStoreError.system(code, operation: "create directory", path: path)
        }
    }

    /// Removes the file at `path`; returns its size, or nil when there was no file. Throws for other failures.
    @discardableResult
    static func removeFile(_ path: String) throws(EventStoreError) -> Int64? {
        guard let size = size(of: path) else { return nil }
        if unlink(path) != 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw EventStoreError.system(code, operation: "remove", path: path)
        }
        return size
    }

    /// Removes the directory at `path` if it is empty; failures are ignored.
    static func removeDirectoryIfEmpty(_ path: String) {
        _ = rmdir(path)
    }

    /// The names in the directory at `path`, without `.` and `..`.
    static func contents(of path: String) throws(EventStoreError) -> [String] {
        guard let directory = opendir(path) else {
            throw EventStoreError.system(errno, operation: "list", path: path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The directory part of `path` (`"/a/b"` → `"/a"`, `"b"` → `"."`, `"/b"` → `"/"`).
    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// The last component of `path`.
    static func lastComponent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The absolute path of `path` with symbolic links, `.` and `..` resolved, when it or its
    /// directory exists; otherwise `path` itself. Used to compare paths written in different forms.
    static func canonical(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let parent = parentDirectory(of: path)
        if let resolved = realpath(parent, nil) {
            defer { free(resolved) }
            return join(String(cString: resolved), lastComponent(of: path))
        }
        return path
    }

    /// `base/name`, without doubling a slash.
    static func join(_ base: String, _ name: String) -> String {
        base.hasSuffix("/") ? base + name : base + "/" + name
    }
}
