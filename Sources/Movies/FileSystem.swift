#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX file operations the module needs, with failures as ``MovieError``s.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The size of the file at `path` in bytes.
    static func size(of path: String) throws(MovieError) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .posix("stat", errno, path: path) }
        return Int64(info.st_size)
    }

    /// Flushes the file's data and metadata to the storage device.
    static func sync(_ path: String) throws(MovieError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .posix("open", errno, path: path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .posix("fsync", errno, path: path) }
    }

    /// Flushes the directory holding `path`, so that a rename into it survives a power cut.
    /// Best effort: some file systems refuse to sync directories.
    static func syncDirectory(of path: String) {
        let directory = parent(of: path)
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// Renames `source` to `destination`, atomically replacing any file there.
    static func rename(_ source: String, to destination: String) throws(MovieError) {
        #if canImport(Glibc)
            let result = Glibc.rename(source, destination)
        #else
            let result = Darwin.rename(source, destination)
        #endif
        guard result == 0 else { throw .posix("rename", errno, path: destination) }
    }

    /// Removes the file at `path`.
    static func remove(_ path: String) throws(MovieError) {
        guard unlink(path) == 0 else { throw .posix("unlink", errno, path: path) }
    }

    /// Removes the file at `path` if it is there, ignoring failures (clean-up on error paths).
    static func removeIfPresent(_ path: String) {
        _ = unlink(path)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }
}
