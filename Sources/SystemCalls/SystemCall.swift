#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import HAL

/// The one place a C call that reports failure through `errno` is made.
///
/// Runs `body`, retrying while it fails with `EINTR`; if it returns -1 (or any negative
/// value) throws a ``HALError`` that names `call`, `target` and the errno. Returns the
/// call's non-negative result.
///
/// Inlinable, so that callers in other modules get it specialised for their call's integer
/// type: the serial path makes several calls a package, and the unspecialised generic goes
/// through `BinaryInteger`'s witnesses for each comparison.
@discardableResult
@inlinable
public func systemCall<Result: BinaryInteger>(
    _ call: String, target: String? = nil, _ body: () -> Result
) throws(HALError) -> Result {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw HALError.system(code, operation: call, target: target)
    }
}

/// Like ``systemCall(_:target:_:)`` for calls that return a pointer and NULL on failure.
public func systemCall<Pointee>(
    _ call: String, target: String? = nil, _ body: () -> UnsafeMutablePointer<Pointee>?
) throws(HALError) -> UnsafeMutablePointer<Pointee> {
    while true {
        if let pointer = body() { return pointer }
        let code = errno
        if code == EINTR { continue }
        throw HALError.system(code, operation: call, target: target)
    }
}

/// Like ``systemCall(_:target:_:)`` for calls that return an opaque pointer and NULL on failure.
public func systemCall(
    _ call: String, target: String? = nil, _ body: () -> OpaquePointer?
) throws(HALError) -> OpaquePointer {
    while true {
        if let pointer = body() { return pointer }
        let code = errno
        if code == EINTR { continue }
        throw HALError.system(code, operation: call, target: target)
    }
}

/// Like ``systemCall(_:target:_:)`` for the calls that return 0 on success and an error number
/// on failure instead of setting `errno` (`posix_spawn` and its attribute calls, the pthread
/// family). Throws a ``HALError`` naming `call`, `target` and the returned error number.
public func errorNumberCall(_ call: String, target: String? = nil, _ body: () -> Int32) throws(HALError) {
    let code = body()
    if code != 0 { throw HALError.system(code, operation: call, target: target) }
}
