import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// Publishes `bytes` at `path` so that readers see the old file or the new one, never a
    /// part, and the new one survives a power cut once this returns.
    ///
    /// The order, which ``observer`` sees: `open` a temporary file beside `path`, `write`,
    /// `fsync` it, `close`, `rename` it to `path`, then `open` and `fsync` the folder (without
    /// the folder's fsync the rename itself may be lost in a power cut). On a failure before the
    /// rename the temporary file is removed and `path` is untouched.
    public static func publish(_ bytes: [UInt8], to path: String) throws(FileError) {
        try replace(path) { descriptor, temporary throws(FileError) in
            try writeAll(bytes[...], to: descriptor, path: temporary)
        }
    }

    /// Publishes a copy of the file at `source` at `path` in the same way as
    /// ``publish(_:to:)``, reading it in 1 MiB chunks; returns the bytes copied.
    @discardableResult
    public static func publishCopy(of source: String, to path: String) throws(FileError) -> Int64 {
        let input = try perform("open", source) {
            try FileDescriptor.open(source, .readOnly, options: [.closeOnExec])
        }
        defer { closeAfterUse(input) }
        var total: Int64 = 0
        try replace(path) { descriptor, temporary throws(FileError) in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = try perform("read", source) {
                    try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
                }
                if count == 0 { return }
                try writeAll(buffer[..<count], to: descriptor, path: temporary)
                total += Int64(count)
            }
        }
        return total
    }

    /// Publishes the finished file `temporary` (written by someone else, in the folder of
    /// `path`) as `path`: `fsync` it, `rename` it to `path`, `fsync` the folder. On a failure
    /// before the rename `temporary` stays where it is; a failure of the folder's fsync leaves
    /// the file at `path` but not yet durable.
    public static func publish(finished temporary: String, as path: String) throws(FileError) {
        let descriptor = try perform("open", temporary) {
            try FileDescriptor.open(temporary, .readOnly, options: [.closeOnExec])
        }
        do {
            try flush(descriptor, temporary)
        } catch {
            closeAfterUse(descriptor)
            throw error
        }
        try perform("close", temporary) { try descriptor.close() }
        try posix("rename", path) { rename(temporary, path) }
        try syncDirectory(parentDirectory(of: path))
    }

    /// Flushes the folder at `path`, so that entries created, renamed or removed in it survive
    /// a power cut. A file system that cannot flush folders (`EINVAL`) is taken as done.
    public static func syncDirectory(_ path: String) throws(FileError) {
        #if DEBUG
        if skipsPublishFsyncs { return }
        #endif
        let descriptor = try perform("open", path) {
            try FileDescriptor.open(path, .readOnly, options: [.directory, .closeOnExec])
        }
        defer { closeAfterUse(descriptor) }
        do {
            try posix("fsync", path) { fsync(descriptor.rawValue) }
        } catch where error.errno == EINVAL {
            return
        }
    }

    /// Creates a temporary file beside `path`, lets `fill` write it, then publishes it as
    /// ``publish(finished:as:)`` does; removes it on any failure before the rename.
    private static func replace(
        _ path: String, _ fill: (FileDescriptor, String) throws(FileError) -> Void
    ) throws(FileError) {
        let folder = parentDirectory(of: path)
        let temporary = join(folder, ".\(lastComponent(of: path)).\(UInt32.random(in: .min ... .max)).tmp")
        let descriptor = try perform("open", temporary) {
            try FileDescriptor.open(
                temporary, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        }
        do {
            try fill(descriptor, temporary)
            try flush(descriptor, temporary)
        } catch {
            closeAfterUse(descriptor)
            removeIfPresent(temporary)
            throw error
        }
        do {
            try perform("close", temporary) { try descriptor.close() }
            try posix("rename", path) { rename(temporary, path) }
        } catch {
            removeIfPresent(temporary)
            throw error
        }
        try syncDirectory(folder)
    }

    /// fsync(2) of a file about to be published.
    private static func flush(_ descriptor: FileDescriptor, _ path: String) throws(FileError) {
        #if DEBUG
        if skipsPublishFsyncs { return }
        #endif
        try posix("fsync", path) { fsync(descriptor.rawValue) }
    }

    #if DEBUG
    /// Debug builds only: `VIGIL_DEBUG_SKIP_PUBLISH_FSYNC=1` in the environment makes publishing
    /// and ``syncDirectory(_:)`` skip their fsyncs, so that `Tools/virtual-board/power-cuts
    /// --skip-publish-fsync` can show that it notices files published without them. Release
    /// builds have no such switch.
    static let skipsPublishFsyncs: Bool = getenv("VIGIL_DEBUG_SKIP_PUBLISH_FSYNC").map { String(cString: $0) == "1" } ?? false
    #endif

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: FileDescriptor, path: String) throws(FileError) {
        var written = 0
        while written < bytes.count {
            written += try perform("write", path) {
                try bytes.withUnsafeBytes { try descriptor.write(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            }
        }
    }

    /// Closes a descriptor that was only read, or on the way out of another failure (the one
    /// to report). close(2) is not retried: on Linux the descriptor is gone even when it fails.
    static func closeAfterUse(_ descriptor: FileDescriptor) {
        do { try descriptor.close() } catch {}
    }
}
