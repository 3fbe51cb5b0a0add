/// The one way this module's C loaders (libavformat's, the Matroska plug-in's) are called and
/// their failures turned into ``MovieError``s.
enum LibraryLoader {
    /// Runs `load` (a loader's `vigil_*_load(message, capacity)`) unless `isLoaded` says it
    /// already succeeded.
    ///
    /// - Throws: ``MovieError/Kind/library`` naming `dlsym` or `dlopen` (whichever the loader's
    ///   message starts with; `dlopen` otherwise) and, in the message, `library` and the loader's
    ///   text (the paths tried), with `path` the movie concerned.
    static func load(
        _ library: String, for path: String, isLoaded: () -> Int32,
        _ load: (UnsafeMutablePointer<CChar>?, Int) -> Int32
    ) throws(MovieError) {
        if isLoaded() != 0 { return }
        guard let message = failure(of: load) else { return }
        throw MovieError(
            kind: .library, call: message.hasPrefix("dlsym") ? "dlsym" : "dlopen",
            message: "\(library) could not be loaded: \(message)", path: path)
    }

    /// Runs a loader's C function of the shape `f(message, capacity)`, which returns 0 on success
    /// and otherwise -1 with its text in `message`: nil on success, else that text.
    static func failure(of function: (UnsafeMutablePointer<CChar>?, Int) -> Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        let count = buffer.count
        let status = buffer.withUnsafeMutableBufferPointer { function($0.baseAddress, count) }
        guard status != 0 else { return nil }
        return buffer.withUnsafeBufferPointer { $0.baseAddress.map { String(cString: $0) } ?? "unknown error" }
    }
}
