import CAVFormat

/// Small helpers around libav's C API that Swift cannot import directly (macros) or that every
/// caller needs.
///
/// libavformat is not linked: ``load(for:)`` maps it with dlopen where a movie is first read,
/// written or repaired, so that a process that never touches a movie never maps FFmpeg.
enum LibAV {
    /// Loads libavformat and its libraries into the process, once; later calls are cheap.
    ///
    /// - Throws: ``MovieError/Kind/library`` naming `dlopen` (or `dlsym`) and the loader's
    ///   message if the libraries are missing or lack a function, with `path` the movie concerned.
    static func load(for path: String) throws(MovieError) {
        try LibraryLoader.load("libavformat", for: path, isLoaded: vigil_av_is_loaded, vigil_av_load)
    }

    /// `AVERROR_EOF`.
    static let endOfFile: Int32 = vigil_averror_eof()
    /// `AVERROR_INVALIDDATA`: `FFERRTAG('I','N','D','A')`.
    static let invalidData: Int32 = -tag("I", "N", "D", "A")
    /// `AV_NOPTS_VALUE`.
    static let noTimestamp = Int64.min
    /// The time base the movies are written in: milliseconds.
    static let milliseconds = AVRational(num: 1, den: 1000)

    /// `AVERROR(errno)`.
    static func error(errno number: Int32) -> Int32 { vigil_averror(number) }

    /// av_strerror's text for `code`.
    static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = buffer.count
        return buffer.withUnsafeMutableBufferPointer { text in
            guard let base = text.baseAddress else { return "error \(code)" }
            if vigil_av_strerror(code, base, count) < 0 { return "unknown error \(code)" }
            return String(cString: base)
        }
    }

    private static func tag(_ a: Unicode.Scalar, _ b: Unicode.Scalar, _ c: Unicode.Scalar, _ d: Unicode.Scalar) -> Int32 {
        Int32(bitPattern: a.value | b.value << 8 | c.value << 16 | d.value << 24)
    }

    /// The entries of a libav dictionary.
    static func entries(of dictionary: OpaquePointer?) -> [String: String] {
        var result: [String: String] = [:]
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = vigil_av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
            if let key = next.pointee.key, let value = next.pointee.value {
                result[String(cString: key)] = String(cString: value)
            }
            entry = next
        }
        return result
    }
}
