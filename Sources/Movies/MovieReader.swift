import CAVFormat

/// Reads the frames of a movie back with libavformat: the first MJPEG video stream of a
/// Matroska file (finished movies, and partial files left by a crash).
///
/// Frames come out exactly as they were muxed (the JPEG bytes are not decoded) with their
/// timestamps in whole milliseconds on the movie's timeline.
///
/// Thread safety: a reader is not `Sendable` and must be used by one thread (or task) at a time.
public final class MovieReader {
    /// The file being read.
    public let path: String
    /// The frames' width in pixels, as the container declares it.
    public let width: Int
    /// The frames' height in pixels, as the container declares it.
    public let height: Int
    /// The movie's global tags (libavformat's format-level metadata), without the `encoder`
    /// tag libavformat writes itself.
    public let metadata: [String: String]
    /// The duration the container's header declares (absent in partial files).
    public let declaredDuration: Duration?

    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private let streamIndex: Int32
    private let timeBase: AVRational
    private var ended = false

    /// Opens `path` and finds its MJPEG video stream.
    ///
    /// Only the Matroska demuxer reads the file: a damaged file is never probed as another
    /// format (an HLS or concat playlist, say, which would make libavformat read other files).
    ///
    /// - Throws: ``MovieError/Kind/notFound`` if there is no such file,
    ///   ``MovieError/Kind/invalidMovie`` if it is not Matroska libavformat can parse or has no
    ///   MJPEG video stream, or another libav failure.
    public init(path: String) throws(MovieError) {
        self.path = path
        try LibAV.load(for: path)
        guard let matroska = vigil_av_find_input_format("matroska") else {
            throw MovieError(
                kind: .invalidArgument, call: "av_find_input_format", message: "libavformat has no Matroska demuxer", path: path)
        }
        var opened: UnsafeMutablePointer<AVFormatContext>? = nil
        let status = vigil_avformat_open_input(&opened, path, matroska, nil)
        guard status >= 0, let context = opened else {
            throw .libav("avformat_open_input", status < 0 ? status : LibAV.error(errno: ENOMEM), path: path)
        }
        var found: (index: Int32, stream: UnsafeMutablePointer<AVStream>)? = nil
        for index in 0..<Int(context.pointee.nb_streams) {
            guard let stream = context.pointee.streams?[index], let parameters = stream.pointee.codecpar else { continue }
            if parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO && parameters.pointee.codec_id == AV_CODEC_ID_MJPEG {
                found = (Int32(index), stream)
                break
            }
        }
        guard let found, let parameters = found.stream.pointee.codecpar, let packet = vigil_av_packet_alloc() else {
            var doomed: UnsafeMutablePointer<AVFormatContext>? = context
            vigil_avformat_close_input(&doomed)
            throw MovieError(
                kind: .invalidMovie, call: "MovieReader.init", message: "the file has no MJPEG video stream", path: path)
        }
        self.context = context
        self.packet = packet
        streamIndex = found.index
        timeBase = found.stream.pointee.time_base
        width = Int(parameters.pointee.width)
        height = Int(parameters.pointee.height)
        metadata = LibAV.entries(of: context.pointee.metadata).filter { $0.key.lowercased() != "encoder" }
        let duration = context.pointee.duration
        declaredDuration =
            duration == LibAV.noTimestamp || duration <= 0
            ? nil : .milliseconds(vigil_av_rescale_q(duration, AVRational(num: 1, den: AV_TIME_BASE), LibAV.milliseconds))
    }

    deinit {
        vigil_av_packet_free(&packet)
        vigil_avformat_close_input(&context)
    }

    /// The next frame, or nil at the end of the movie.
    ///
    /// - Throws: libavformat's error if the file cannot be read further (a partial file's
    ///   torn end, say); reading stops there and later calls return nil.
    public func next() throws(MovieError) -> MovieFrame? {
        var frame: MovieFrame? = nil
        try nextPacket { time, bytes in frame = MovieFrame(time: .milliseconds(time), jpeg: Array(bytes)) }
        return frame
    }

    /// Reads the next packet of the movie's stream and hands its time (milliseconds) and bytes
    /// to `body`, without copying them; returns false at the end.
    @discardableResult
    func nextPacket(_ body: (Int64, UnsafeRawBufferPointer) -> Void) throws(MovieError) -> Bool {
        guard !ended, let context, let packet else { return false }
        while true {
            let status = vigil_av_read_frame(context, packet)
            if status == LibAV.endOfFile {
                ended = true
                return false
            }
            guard status >= 0 else {
                ended = true
                throw .libav("av_read_frame", status, path: path)
            }
            defer { vigil_av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            let stamp = packet.pointee.pts != LibAV.noTimestamp ? packet.pointee.pts : packet.pointee.dts
            let time = stamp == LibAV.noTimestamp ? 0 : vigil_av_rescale_q(stamp, timeBase, LibAV.milliseconds)
            body(time, UnsafeRawBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
            return true
        }
    }
}

@available(*, unavailable, message: "a MovieReader must be used by one thread at a time")
extension MovieReader: Sendable {}
