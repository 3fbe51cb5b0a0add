#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing a whole file so that readers see either the old file or the new one, never a part.
public enum AtomicFile {
    /// Writes `bytes` to a temporary file beside `path`, flushes it to disk, then renames it to
    /// `path`. On failure the temporary file is removed and `path` is untouched.
    public static func write(_ bytes: [UInt8], to path: String) throws(HALError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).tmp"
        let descriptor = try systemCall("open", target: temporary) {
            open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        do {
            try writeAll(bytes, to: descriptor, path: temporary)
            try systemCall("fsync", target: temporary) { fsync(descriptor) }
            // close(2) is not retried: on Linux the descriptor is gone even when it fails.
            _ = close(descriptor)
        } catch {
            _ = close(descriptor)
            unlink(temporary)
            throw error
        }
        do {
            try systemCall("rename", target: path) { rename(temporary, path) }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}

private func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(HALError) {
    var written = 0
    while written < bytes.count {
        written += try systemCall("write", target: path) {
            bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + written }, $0.count - written) }
        }
    }
}
