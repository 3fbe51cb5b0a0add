import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system's temporary directory, removed by `remove()`.
public struct TemporaryDirectory {
    public let path: String

    public init(_ label: String = "movies") throws {
        path = NSTemporaryDirectory() + "vigil-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A tiny tmpfs mounted on a fresh directory, to fill up. Needs root (or CAP_SYS_ADMIN).
public final class TinyFileSystem: Sendable {
    public let path: String

    /// Whether this process may mount a tmpfs (checked once, by mounting and unmounting one).
    public static let isPermitted: Bool = {
        guard let probe = try? TinyFileSystem(kilobytes: 64) else { return false }
        probe.unmount()
        return true
    }()

    public init(kilobytes: Int, readOnly: Bool = false) throws {
        let directory = try TemporaryDirectory("tmpfs")
        path = directory.path
        let options = "size=\(kilobytes)k" + (readOnly ? ",ro" : "")
        let result = try Tool.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", path])
        guard result.status == 0 else {
            directory.remove()
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSLocalizedDescriptionKey: result.error])
        }
    }

    public func file(_ name: String) -> String { path + "/" + name }

    /// Fills the file system with a filler file until the kernel says it is full.
    public func fill() {
        let descriptor = open(file("filler"), O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0xAA, count: 512)
        while chunk.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        // Fill the last partial block too.
        let byte: [UInt8] = [0]
        while byte.withUnsafeBytes({ write(descriptor, $0.baseAddress, 1) }) > 0 {}
    }

    public func unmount() {
        _ = try? Tool.run("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }
}
