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
        try replace(path) { descriptor, temporary throws(HALError) in
            try writeAll(bytes[...], to: descriptor, path: temporary)
        }
    }

    /// Copies the file at `source` to `path` in the same way, reading it in 1 MiB chunks, and
    /// returns the bytes copied. On failure the temporary file is removed and `path` is untouched.
    @discardableResult
    public static func copy(from source: String, to path: String) throws(HALError) -> Int64 {
        let input = try systemCall("open", target: source) { open(source, O_RDONLY | O_CLOEXEC) }
        defer { _ = close(input) }
        var total: Int64 = 0
        try replace(path) { descriptor, temporary throws(HALError) in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = try systemCall("read", target: source) {
                    buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                }
                if count == 0 { return }
                try writeAll(buffer[..<count], to: descriptor, path: temporary)
                total += Int64(count)
            }
        }
        return total
    }

    /// Creates a temporary file beside `path`, lets `fill` write it (given its descriptor and
    /// path), flushes it to disk and renames it to `path`; removes it on any failure.
    private static func replace(_ path: String, _ fill: (Int32, String) throws(HALError) -> Void) throws(HALError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).tmp"
        let descriptor = try systemCall("open", target: temporary) {
            open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        do {
            try fill(descriptor, temporary)
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

private func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32, path: String) throws(HALError) {
    var written = 0
    while written < bytes.count {
        written += try systemCall("write", target: path) {
            bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + written }, $0.count - written) }
        }
    }
}
