import CMatroska
import Files

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Records JPEG frames into a Matroska (`.mkv`) movie, written with libmatroska and libebml (the
/// Matroska project's own libraries, in the plug-in libVigilMatroska.so, loaded with dlopen when
/// the first writer is made) without re-encoding (codec MJPEG), each frame stamped with
/// its real capture time (variable frame rate, millisecond precision).
///
/// The movie is written to `path + ".partial"` and renamed to `path` only by ``finish()``, so a
/// file at `path` is always a complete movie. After every ``append(jpeg:at:)`` the partial file
/// holds that frame whole on disk (in the kernel's page cache: it survives the process being
/// killed, not a power cut): each frame is a Matroska cluster of its own, written out before
/// `append` returns. A partial file left by a crash is readable by ffmpeg as it is, up to its
/// last frame, and ``MovieRepair/finish(partial:to:)`` turns it into a finished movie.
///
/// Failures are ``MovieError``s. A refused frame (``MovieError/Kind/invalidFrame``,
/// ``MovieError/Kind/timestampOrder``) writes nothing and leaves the writer usable. Any failure
/// of the library or the file system (a full disk: ``MovieError/Kind/diskFull``) closes the
/// writer and frees everything, leaving the `.partial` file with the frames written before it;
/// later calls throw ``MovieError/Kind/closed``.
///
/// Dropping a writer without finishing it is the same as ``abandon()``.
///
/// Thread safety: a writer is not `Sendable` and must be used by one thread (or task) at a time;
/// it holds library state that has no locking of its own. Hand it between threads only with
/// ownership (nothing else keeping a reference).
public final class MovieWriter {
    /// The finished movie's path.
    public let path: String
    /// Where the movie is written until it is finished: `path + ".partial"`.
    public let partialPath: String
    /// The frames' width in pixels.
    public let width: Int
    /// The frames' height in pixels.
    public let height: Int

    /// How many frames have been appended.
    public var frames: Int { timing.frames }

    private enum State {
        case open
        case finished
        case abandoned
        case failed(MovieError)
    }

    private var state = State.open
    /// The C writer (`vigil_mkv_writer *`) while open.
    private var handle: OpaquePointer?
    private var firstTime: Duration?
    private var lastTime: Duration = .zero
    private var timing = FrameTiming()
    /// Whether each frame is written to the file as it is appended (always, except when
    /// measuring what that costs).
    let flushesEachFrame: Bool

    /// Opens `path + ".partial"` for writing and writes the movie's header there.
    ///
    /// - Parameters:
    ///   - path: where ``finish()`` puts the movie; any file already there is replaced then.
    ///   - width: the frames' width in pixels (1...65535); every frame must have it.
    ///   - height: the frames' height in pixels (1...65535).
    ///   - metadata: stored as the movie's global tags (Matroska SimpleTags), read back by
    ///     ``MovieReader/metadata``; Matroska tag names are upper case, so the keys are written
    ///     upper-cased.
    ///   - flushesEachFrame: whether each frame reaches the file as it is appended, so that a
    ///     crash loses none that were; false (up to 64 KiB buffered in memory, which a crash
    ///     loses) only to measure what writing each frame out costs.
    /// - Throws: ``MovieError/Kind/invalidArgument`` for a bad size or path, or if the partial
    ///   file already exists (a crashed recording: repair or remove it first);
    ///   ``MovieError/Kind/library`` naming `dlopen` or `dlsym` if the plug-in cannot be loaded;
    ///   otherwise the library or file-system failure (the partial file is removed again).
    public convenience init(
        path: String, width: Int, height: Int, metadata: [String: String] = [:], flushesEachFrame: Bool = true
    ) throws(MovieError) {
        try self.init(
            path: path, partialPath: path + ".partial", replacingPartial: false, width: width, height: height,
            metadata: metadata, flushesEachFrame: flushesEachFrame)
    }

    init(
        path: String, partialPath: String, replacingPartial: Bool, width: Int, height: Int,
        metadata: [String: String], flushesEachFrame: Bool = true
    ) throws(MovieError) {
        self.path = path
        self.partialPath = partialPath
        self.width = width
        self.height = height
        self.flushesEachFrame = flushesEachFrame
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw MovieError(kind: .invalidArgument, call: "MovieWriter.init", message: "not a file path", path: path)
        }
        guard (1...65535).contains(width), (1...65535).contains(height) else {
            throw MovieError(
                kind: .invalidArgument, call: "MovieWriter.init",
                message: "size \(width)x\(height) is outside 1...65535 in each dimension", path: path)
        }
        if FileSystem.exists(partialPath) {
            guard replacingPartial else {
                throw MovieError(
                    kind: .invalidArgument, call: "MovieWriter.init",
                    message: "the partial file already exists (left by a crash?): repair or remove it first",
                    path: partialPath)
            }
            do { _ = try FileSystem.removeFile(partialPath) } catch { throw MovieError(error) }
        }
        do throws(MovieError) {
            try open(metadata: metadata)
        } catch {
            release()
            FileSystem.removeIfPresent(partialPath)
            state = .failed(error)
            throw error
        }
    }

    deinit {
        release()
    }

    private func open(metadata: [String: String]) throws(MovieError) {
        try LibraryLoader.load(
            "the Matroska plug-in (\(VIGIL_MKV_PLUGIN))", for: partialPath, isLoaded: vigil_mkv_is_loaded, vigil_mkv_load)
        let tags = metadata.sorted(by: { $0.key < $1.key })
        // One buffer of NUL-terminated strings: the names, then the values.
        var storage: [CChar] = []
        var offsets: [Int] = []
        for text in tags.map({ $0.key.uppercased() }) + tags.map(\.value) {
            offsets.append(storage.count)
            storage += text.utf8CString
        }
        var failure = vigil_mkv_failure()
        let created = storage.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in buffer.baseAddress.map { $0 + offset } }
            return pointers.withUnsafeBufferPointer { strings in
                vigil_mkv_create(
                    partialPath, UInt32(width), UInt32(height), strings.baseAddress, strings.baseAddress.map { $0 + tags.count },
                    tags.count, flushesEachFrame ? 1 : 0, &failure)
            }
        }
        guard let created else { throw MovieError(failure, path: partialPath) }
        handle = created
    }

    /// Appends one frame: `jpeg` is written as it is, stamped `time` after the movie's first frame.
    ///
    /// The first frame's `time` may be anything (0, or a monotonic clock's reading); the movie
    /// stores every time relative to it, rounded to the millisecond. When this returns, the
    /// frame is on disk in the partial file, readable if the process dies right afterwards.
    ///
    /// - Throws: ``MovieError/Kind/invalidFrame`` if `jpeg` is not a whole JPEG stream (SOI to
    ///   EOI) whose header gives the movie's size, ``MovieError/Kind/timestampOrder`` if `time`
    ///   is before the previous frame's (equal is allowed); in both cases nothing is written and
    ///   the writer stays usable. Any library or file-system failure (``MovieError/Kind/diskFull``,
    ///   ...) closes the writer, leaving the partial file with the frames before this one.
    ///   ``MovieError/Kind/closed`` once finished, abandoned or failed.
    public func append(jpeg: [UInt8], at time: Duration) throws(MovieError) {
        let handle = try openHandle("MovieWriter.append")
        if let problem = JPEGFrame.problem(jpeg, width: width, height: height) {
            throw MovieError(
                kind: .invalidFrame, call: "MovieWriter.append", message: "frame \(frames) \(problem)",
                path: partialPath)
        }
        if firstTime != nil, time < lastTime {
            throw MovieError(
                kind: .timestampOrder, call: "MovieWriter.append",
                message: "frame \(frames) at \(time) is before the previous frame at \(lastTime)", path: partialPath)
        }
        let first = firstTime ?? time
        guard let milliseconds = (time - first).roundedMilliseconds, jpeg.count <= Int(Int32.max) - 64 else {
            throw MovieError(
                kind: .invalidArgument, call: "MovieWriter.append",
                message: "frame \(frames) at \(time) is out of range", path: partialPath)
        }
        var next = timing
        _ = next.add(milliseconds)
        var failure = vigil_mkv_failure()
        let status = jpeg.withUnsafeBufferPointer { bytes in
            vigil_mkv_append(handle, bytes.baseAddress, bytes.count, milliseconds, &failure)
        }
        guard status == 0 else {
            let error = MovieError(failure, path: partialPath)
            fail(error)
            throw error
        }
        firstTime = first
        lastTime = time
        timing = next
    }

    /// Writes the index (cues), the seek head and the duration, and publishes the file through
    /// ``FileSystem/publish(finished:as:)``: fsync, rename from ``partialPath`` to ``path``
    /// (atomically replacing any file there), fsync the folder.
    ///
    /// - Returns: the movie's summary; its `duration` equals the one in the file's header.
    /// - Throws: ``MovieError/Kind/invalidMovie`` if no frame was appended (the partial file is
    ///   removed); a library or file-system failure (``MovieError/Kind/diskFull``, ...) leaves the
    ///   partial file for ``MovieRepair`` and nothing at `path` (a failure of the folder's fsync
    ///   leaves the movie at `path`, not yet durable); ``MovieError/Kind/closed`` if
    ///   already finished, abandoned or failed. The writer is closed afterwards in every case.
    public func finish() throws(MovieError) -> MovieSummary {
        let handle = try openHandle("MovieWriter.finish")
        guard timing.frames > 0 else {
            let error = MovieError(
                kind: .invalidMovie, call: "MovieWriter.finish", message: "no frame was appended", path: partialPath)
            fail(error)
            FileSystem.removeIfPresent(partialPath)
            throw error
        }
        var failure = vigil_mkv_failure()
        guard vigil_mkv_finish(handle, timing.duration, &failure) == 0 else {
            let error = MovieError(failure, path: partialPath)
            fail(error)
            throw error
        }
        release()
        do {
            try FileSystem.publish(finished: partialPath, as: path)
            let bytes = try FileSystem.status(of: path).size
            state = .finished
            return MovieSummary(path: path, timing: timing, bytes: bytes)
        } catch {
            let failure = MovieError(error)
            fail(failure)
            throw failure
        }
    }

    /// Closes the writer without finishing the movie, leaving the partial file as a crash
    /// would (every appended frame readable, no index). Does nothing if already closed.
    public func abandon() {
        guard case .open = state else { return }
        release()
        state = .abandoned
    }

    private func openHandle(_ call: String) throws(MovieError) -> OpaquePointer {
        switch state {
        case .open:
            if let handle { return handle }
            throw MovieError(kind: .closed, call: call, message: "the writer is not open", path: partialPath)
        case .finished:
            throw MovieError(kind: .closed, call: call, message: "the movie is already finished", path: path)
        case .abandoned:
            throw MovieError(kind: .closed, call: call, message: "the writer was abandoned", path: partialPath)
        case .failed(let cause):
            throw MovieError(
                kind: .closed, call: call, message: "the writer was closed by an earlier failure: \(cause)",
                path: partialPath)
        }
    }

    private func fail(_ error: MovieError) {
        release()
        state = .failed(error)
    }

    /// Frees the C writer, closing its file if it is still open.
    private func release() {
        if let handle {
            vigil_mkv_destroy(handle)
            self.handle = nil
        }
    }
}

@available(*, unavailable, message: "a MovieWriter must be used by one thread at a time")
extension MovieWriter: Sendable {}

extension MovieWriter {
    /// Checks that the movie writer's plug-in (libVigilMatroska.so) is where the first movie will
    /// load it from, without loading it: a recorder that records movies says at start-up that it
    /// cannot, instead of at its first event.
    ///
    /// - Throws: ``MovieError/Kind/library`` naming `access` and every path looked at.
    public static func checkPluginInstalled() throws(MovieError) {
        guard let tried = LibraryLoader.failure(of: vigil_mkv_find) else { return }
        throw MovieError(
            kind: .library, call: "access",
            message: "the movie writer's plug-in \(VIGIL_MKV_PLUGIN) is not installed (\(tried)); `swift build` builds it "
                + "beside vigil (`swift build --product VigilMatroska` alone), the package installs it in /usr/lib/vigil")
    }
}
