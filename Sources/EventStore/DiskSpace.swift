#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Free space on a file system.
public enum DiskSpace {
    /// Bytes available to unprivileged users on the file system holding `path` (statvfs's
    /// `f_bavail × f_frsize`). Throws a typed error when `path` cannot be examined (for example,
    /// ``EventStoreError/Kind/notFound`` when it does not exist).
    public static func free(at path: String) throws(EventStoreError) -> Int64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw EventStoreError.system(errno, operation: "statvfs", path: path)
        }
        let blocks = Int64(clamping: info.f_bavail)
        let blockSize = Int64(clamping: info.f_frsize)
        let (bytes, overflow) = blocks.multipliedReportingOverflow(by: blockSize)
        return overflow ? Int64.max : bytes
    }
}
