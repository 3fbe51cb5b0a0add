import CTurboJPEG

/// One libturbojpeg compressor or decompressor handle, plus the compressor's reusable output
/// buffer. Freed when the last reference goes.
///
/// `@unchecked Sendable`: an instance is only ever used by one call at a time, which
/// ``TurboInstancePool`` guarantees by handing each out exclusively.
final class TurboInstance: @unchecked Sendable {
    enum Kind: Sendable {
        case compressor, decompressor

        var initCallName: String {
            switch self {
            case .compressor: "tjInitCompress"
            case .decompressor: "tjInitDecompress"
            }
        }
    }

    let handle: tjhandle
    /// The compressor's output buffer (allocated and grown by libturbojpeg), reused between calls.
    var outputBuffer: UnsafeMutablePointer<UInt8>?
    /// A size `outputBuffer` is known to hold at least. (libturbojpeg remembers the true size of
    /// a buffer it handed out; this only has to never exceed it.)
    var outputSizeBound: UInt = 0

    init(_ kind: Kind) throws(JPEGError) {
        let created: tjhandle? =
            switch kind {
            case .compressor: tjInitCompress()
            case .decompressor: tjInitDecompress()
            }
        guard let created else {
            throw JPEGError(call: kind.initCallName, message: Self.errorString(nil))
        }
        handle = created
    }

    deinit {
        if let outputBuffer { tjFree(outputBuffer) }
        tjDestroy(handle)
    }

    /// The error for the call `call` that just failed on this handle.
    func error(_ call: String) -> JPEGError {
        let severity: JPEGError.Severity =
            tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) ? .warning : .fatal
        return JPEGError(call: call, message: Self.errorString(handle), severity: severity)
    }

    private static func errorString(_ handle: tjhandle?) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: text)
    }
}
