import Glibc
import HAL
import SystemCalls

/// Sets `O_NONBLOCK` and `FD_CLOEXEC` on `descriptor`, keeping its other flags.
func makeNonBlockingAndCloseOnExec(_ descriptor: Int32, target: String) throws(HALError) {
    let flags = try systemCall("fcntl", target: target) { fcntl(descriptor, F_GETFL) }
    try systemCall("fcntl", target: target) { fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
    try systemCall("fcntl", target: target) { fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
}

/// Closes a descriptor, ignoring the result: on Linux the descriptor is gone even when close
/// reports an error, so retrying (as ``systemCall(_:target:_:)`` does on `EINTR`) could close
/// an unrelated descriptor opened meanwhile by another thread.
func closeDescriptor(_ descriptor: Int32) {
    _ = Glibc.close(descriptor)
}
