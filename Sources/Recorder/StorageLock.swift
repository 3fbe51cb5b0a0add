import HAL
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a storage root (`ROOT/vigil.lock`, flock(2)), held by the one recorder
/// that may write there. The kernel releases it when the process ends, however it ends, so a
/// killed recorder never leaves a stale lock.
public final class StorageLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock; throws a ``HALError`` of kind `.busy` when another recorder holds it.
    public init(root: String) throws(HALError) {
        path = root + "/vigil.lock"
        let descriptor = try systemCall("open", target: path) { [path] in open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        do {
            try systemCall("flock", target: path) { flock(descriptor, LOCK_EX | LOCK_NB) }
        } catch {
            close(descriptor)
            if error.errno == EWOULDBLOCK {
                throw HALError(.busy, operation: "flock", target: path, message: "a recorder is already running on this storage root")
            }
            throw error
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
