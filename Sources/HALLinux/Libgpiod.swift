import CGPIOD
import HAL
import SystemCalls

/// The libgpiod this build of Vigil uses: which of its two incompatible APIs, and what that
/// API lets the kernel do.
///
/// The API is chosen when Vigil is built, from the `gpiod.h` that pkg-config finds: libgpiod 1.6
/// (Debian 12, Raspberry Pi OS bookworm) has the v1 API, libgpiod 2.x (Debian 13, Raspberry Pi
/// OS trixie) the v2 API. Both drive the same kernel interface; v2 adds what v1 lacked.
public enum Libgpiod {
    public enum API: Int, Sendable, Comparable, CustomStringConvertible {
        case v1 = 1
        case v2 = 2

        public static func < (lhs: API, rhs: API) -> Bool { lhs.rawValue < rhs.rawValue }
        public var description: String { "v\(rawValue)" }

        /// Whether the kernel debounces requested lines (v2). With v1, ``LinuxLineRequest``
        /// debounces in software with HAL's ``EdgeFilter``.
        public var debouncesInKernel: Bool { self >= .v2 }

        /// How many edge events the kernel queues for each requested line before it drops
        /// them: 16 with v1 (fixed by the kernel); with v2, Vigil asks for 64 (up to the
        /// kernel's limit of 1024 for a request), read out through one edge event buffer.
        public var queuedEventsPerLine: Int { self >= .v2 ? 64 : 16 }
    }

    /// The API this build was compiled against.
    public static let api: API = vigil_gpiod_api() >= 2 ? .v2 : .v1

    /// The version of the library loaded at run time, such as `1.6.3` or `2.2.1`.
    public static var version: String { String(cString: vigil_gpiod_library_version()) }

    /// The kernel's limit on the events queued for one v2 request.
    static let maximumQueuedEvents = 1024
}

/// Runs a CGPIOD call through ``systemCall(_:target:_:)`` (which retries on `EINTR`), naming in
/// the error the libgpiod call that failed inside it, such as `gpiod_chip_request_lines`.
@discardableResult
func gpiodCall<Result: BinaryInteger>(target: String, _ body: () -> Result) throws(HALError) -> Result {
    do {
        return try systemCall("libgpiod", target: target, body)
    } catch {
        throw namingFailedCall(error)
    }
}

/// Like ``gpiodCall(target:_:)`` for calls that return a pointer and NULL on failure.
func gpiodCall(target: String, _ body: () -> OpaquePointer?) throws(HALError) -> OpaquePointer {
    do {
        return try systemCall("libgpiod", target: target, body)
    } catch {
        throw namingFailedCall(error)
    }
}

private func namingFailedCall(_ error: HALError) -> HALError {
    var named = error
    let call = String(cString: vigil_gpiod_failed_call())
    if !call.isEmpty { named.operation = call }
    return named
}

extension String {
    /// The NUL-terminated text in a fixed-size C `char` array, which Swift imports as a tuple.
    init<Tuple>(fixedCString tuple: Tuple) {
        self = withUnsafeBytes(of: tuple) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
