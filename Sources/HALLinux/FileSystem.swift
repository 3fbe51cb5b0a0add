import Glibc
import HAL

/// The few file-system questions the Linux backend asks.
enum FileSystem {
    /// Whether something exists at `path` (following symbolic links). A path that cannot be
    /// examined for another reason (permissions) counts as existing, so that opening it reports
    /// the real problem.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        do {
            try systemCall("stat", target: path) { stat(path, &status) }
            return true
        } catch {
            return error.kind != .notFound
        }
    }

    /// The names in `directory`, without `.` and `..`, sorted; nil if there is no such
    /// directory.
    static func entries(of directory: String) throws(HALError) -> [String]? {
        let stream: OpaquePointer
        do {
            stream = try systemCall("opendir", target: directory) { opendir(directory) }
        } catch where error.kind == .notFound {
            return nil
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            // readdir returns NULL both at the end and on failure; only errno tells them apart.
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw HALError.system(errno, operation: "readdir", target: directory) }
                return names.sorted()
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// `path` with every symbolic link resolved; nil if it cannot be resolved.
    static func resolvedPath(_ path: String) -> String? {
        guard let resolved = try? systemCall("realpath", target: path, { realpath(path, nil) }) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
