import CAVFormat
import Files

/// Records JPEG frames into a Matroska (`.mkv`) movie, muxed by libavformat without re-encoding
/// (codec MJPEG), each frame stamped with its real capture time (variable frame rate, millisecond
/// precision).
///
/// The movie is written to `path + ".partial"` and renamed to `path` only by ``finish()``, so a
/// file at `path` is always a complete movie. After every ``append(jpeg:at:)`` the partial file
/// holds that frame whole on disk (in the kernel's page cache: it survives the process being
/// killed, not a power cut): the writer closes a Matroska cluster per frame and flushes libav's
/// buffer. A partial file left by a crash is readable by ffmpeg as it is, up to its last frame,
/// and ``MovieRepair/finish(partial:to:)`` turns it into a finished movie.
///
/// Failures are ``MovieError``s. A refused frame (``MovieError/Kind/invalidFrame``,
/// ``MovieError/Kind/timestampOrder``) writes nothing and leaves the writer usable. Any failure
/// of libav or the file system (a full disk: ``MovieError/Kind/diskFull``) closes the writer and
/// frees everything, leaving the `.partial` file with the frames written before it; later calls
/// throw ``MovieError/Kind/closed``.
///
/// Dropping a writer without finishing it is the same as ``abandon()``.
///
/// Thread safety: a writer is not `Sendable` and must be used by one thread (or task) at a time;
/// it holds libav contexts that have no locking of their own. Hand it between threads only with
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
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var timeBase = LibAV.milliseconds
    private var firstTime: Duration?
    private var lastTime: Duration = .zero
    private var timing = FrameTiming()
    /// Whether each frame is flushed to the file as it is appended (always, except when
    /// measuring what that costs).
    let flushesEachFrame: Bool

    /// Opens `path + ".partial"` for writing and writes the movie's header there.
    ///
    /// - Parameters:
    ///   - path: where ``finish()`` puts the movie; any file already there is replaced then.
    ///   - width: the frames' width in pixels (1...65535); every frame must have it.
    ///   - height: the frames' height in pixels (1...65535).
    ///   - metadata: stored as the movie's global tags (Matroska SimpleTags), read back by
    ///     ``MovieReader/metadata``; Matroska tag names are upper case, so the keys come back
    ///     upper-cased.
    ///   - flushesEachFrame: whether each frame reaches the file as it is appended, so that a
    ///     crash loses none that were; false (libavformat's own buffering, a crash loses up to
    ///     a cluster) only to measure what flushing costs.
    /// - Throws: ``MovieError/Kind/invalidArgument`` for a bad size or path, or if the partial
    ///   file already exists (a crashed recording: repair or remove it first); otherwise the
    ///   libav or file-system failure (the partial file is removed again).
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
        if !replacingPartial && FileSystem.exists(partialPath) {
            throw MovieError(
                kind: .invalidArgument, call: "MovieWriter.init",
                message: "the partial file already exists (left by a crash?): repair or remove it first",
                path: partialPath)
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
        var created: UnsafeMutablePointer<AVFormatContext>? = nil
        var status = avformat_alloc_output_context2(&created, nil, "matroska", partialPath)
        guard status >= 0, let context = created else {
            throw .libav("avformat_alloc_output_context2", status < 0 ? status : LibAV.error(errno: ENOMEM), path: partialPath)
        }
        self.context = context
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            status = av_dict_set(&context.pointee.metadata, key, value, 0)
            guard status >= 0 else { throw .libav("av_dict_set", status, path: partialPath) }
        }
        guard let stream = avformat_new_stream(context, nil) else {
            throw .libav("avformat_new_stream", LibAV.error(errno: ENOMEM), path: partialPath)
        }
        stream.pointee.time_base = LibAV.milliseconds
        // Frames come at irregular times. Without a stated rate, ffmpeg guesses one from the
        // first frames (1.92 fps, say) and rounds every frame onto it, so two frames closer than
        // its tick collide ("non monotonically increasing dts"). A nominal 100 fps (the track's
        // default duration, 10 ms) makes its tick finer than any real frame interval.
        stream.pointee.avg_frame_rate = AVRational(num: 100, den: 1)
        if let parameters = stream.pointee.codecpar {
            parameters.pointee.codec_type = AVMEDIA_TYPE_VIDEO
            parameters.pointee.codec_id = AV_CODEC_ID_MJPEG
            parameters.pointee.width = Int32(width)
            parameters.pointee.height = Int32(height)
        }
        status = avio_open(&context.pointee.pb, partialPath, AVIO_FLAG_WRITE)
        guard status >= 0 else { throw .libav("avio_open", status, path: partialPath) }

        // Clusters are closed by hand after every frame (av_write_frame(NULL)); the limits only
        // matter when that is switched off to measure its cost, where they are libav's defaults.
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        status = av_dict_set(&options, "write_crc32", "1", 0)
        guard status >= 0 else { throw .libav("av_dict_set", status, path: partialPath) }
        status = avformat_write_header(context, &options)
        guard status >= 0 else { throw .libav("avformat_write_header", status, path: partialPath) }
        timeBase = stream.pointee.time_base
        try flushFile("avformat_write_header")

        guard let packet = av_packet_alloc() else {
            throw .libav("av_packet_alloc", LibAV.error(errno: ENOMEM), path: partialPath)
        }
        self.packet = packet
    }

    /// Appends one frame: `jpeg` is muxed as it is, stamped `time` after the movie's first frame.
    ///
    /// The first frame's `time` may be anything (0, or a monotonic clock's reading); the movie
    /// stores every time relative to it, rounded to the millisecond. When this returns, the
    /// frame is on disk in the partial file, readable if the process dies right afterwards.
    ///
    /// - Throws: ``MovieError/Kind/invalidFrame`` if `jpeg` is not a whole JPEG stream (SOI to
    ///   EOI) whose header gives the movie's size, ``MovieError/Kind/timestampOrder`` if `time`
    ///   is before the previous frame's (equal is allowed); in both cases nothing is written and
    ///   the writer stays usable. Any libav or file-system failure (``MovieError/Kind/diskFull``,
    ///   ...) closes the writer, leaving the partial file with the frames before this one.
    ///   ``MovieError/Kind/closed`` once finished, abandoned or failed.
    public func append(jpeg: [UInt8], at time: Duration) throws(MovieError) {
        let (context, packet) = try openContexts("MovieWriter.append")
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
        let length = next.add(milliseconds)

        do throws(MovieError) {
            let status = av_new_packet(packet, Int32(jpeg.count))
            guard status >= 0 else { throw .libav("av_new_packet", status, path: partialPath) }
            defer { av_packet_unref(packet) }
            jpeg.withUnsafeBytes { bytes in
                if let source = bytes.baseAddress, let destination = packet.pointee.data {
                    destination.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
                }
            }
            let pts = av_rescale_q(milliseconds, LibAV.milliseconds, timeBase)
            packet.pointee.pts = pts
            packet.pointee.dts = pts
            packet.pointee.duration = av_rescale_q(length, LibAV.milliseconds, timeBase)
            packet.pointee.flags |= AV_PKT_FLAG_KEY
            packet.pointee.stream_index = 0
            let written = av_write_frame(context, packet)
            guard written >= 0 else { throw .libav("av_write_frame", written, path: partialPath) }
            if flushesEachFrame {
                // A NULL packet makes the Matroska muxer close the cluster it buffers in memory
                // and write it out; avio_flush then hands libav's own buffer to the kernel.
                let flushed = av_write_frame(context, nil)
                guard flushed >= 0 else { throw .libav("av_write_frame(NULL)", flushed, path: partialPath) }
                try flushFile("av_write_frame")
            }
        } catch {
            fail(error)
            throw error
        }
        firstTime = first
        lastTime = time
        timing = next
    }

    /// Writes the trailer (index, duration) and publishes the file through
    /// ``FileSystem/publish(finished:as:)``: fsync, rename from ``partialPath`` to ``path``
    /// (atomically replacing any file there), fsync the folder.
    ///
    /// - Returns: the movie's summary; its `duration` equals the one in the file's header.
    /// - Throws: ``MovieError/Kind/invalidMovie`` if no frame was appended (the partial file is
    ///   removed); a libav or file-system failure (``MovieError/Kind/diskFull``, ...) leaves the
    ///   partial file for ``MovieRepair`` and nothing at `path` (a failure of the folder's fsync
    ///   leaves the movie at `path`, not yet durable); ``MovieError/Kind/closed`` if
    ///   already finished, abandoned or failed. The writer is closed afterwards in every case.
    public func finish() throws(MovieError) -> MovieSummary {
        let (context, _) = try openContexts("MovieWriter.finish")
        guard timing.frames > 0 else {
            let error = MovieError(
                kind: .invalidMovie, call: "MovieWriter.finish", message: "no frame was appended", path: partialPath)
            fail(error)
            FileSystem.removeIfPresent(partialPath)
            throw error
        }
        do throws(MovieError) {
            let status = av_write_trailer(context)
            guard status >= 0 else { throw .libav("av_write_trailer", status, path: partialPath) }
            try flushFile("av_write_trailer")
            let closed = avio_closep(&context.pointee.pb)
            guard closed >= 0 else { throw .libav("avio_closep", closed, path: partialPath) }
            release()
        } catch {
            fail(error)
            throw error
        }
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

    private func openContexts(_ call: String) throws(MovieError) -> (
        UnsafeMutablePointer<AVFormatContext>, UnsafeMutablePointer<AVPacket>
    ) {
        switch state {
        case .open:
            if let context, let packet { return (context, packet) }
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

    /// Hands libav's buffered output to the kernel and reports any write error so far.
    private func flushFile(_ call: String) throws(MovieError) {
        guard let io = context?.pointee.pb else { return }
        avio_flush(io)
        let error = io.pointee.error
        if error < 0 { throw .libav(call, error, path: partialPath) }
    }

    private func fail(_ error: MovieError) {
        release()
        state = .failed(error)
    }

    /// Frees every libav allocation; the muxer's own state is freed by avformat_free_context.
    private func release() {
        if let context {
            if context.pointee.pb != nil {
                avio_closep(&context.pointee.pb)
            }
            avformat_free_context(context)
            self.context = nil
        }
        if packet != nil {
            av_packet_free(&packet)
        }
    }
}

@available(*, unavailable, message: "a MovieWriter must be used by one thread at a time")
extension MovieWriter: Sendable {}
