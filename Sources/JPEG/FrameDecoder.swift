import Synchronization

/// Decodes one camera's JPEG frames at one pixel format and scale, remembering the frame it
/// decoded last, so that each frame is decoded once however many users need it: the camera
/// driver's check that a frame decodes and the motion detector's analysis share the decode.
///
/// A frame counts as the one decoded last when its bytes are equal (the same buffer, handed
/// along without copying, is recognised without comparing them). Safe from any thread; give
/// each camera its own decoder, since it remembers only one frame.
public final class FrameDecoder: Sendable {
    /// A decoded frame: what its header says and its image at ``FrameDecoder/format`` and
    /// ``FrameDecoder/scale``.
    public struct Decoded: Sendable {
        public let info: JPEGInfo
        public let image: Image
    }

    public let format: PixelFormat
    public let scale: ScalingFactor
    private let codec: JPEGCodec
    private let last = Mutex<(jpeg: [UInt8], decoded: Decoded)?>(nil)
    private let decodes = Atomic<Int>(0)

    /// A decoder producing `format` images shrunk by `scale` (one of ``ScalingFactor/supported``)
    /// with `codec`, which may be shared.
    public init(format: PixelFormat = .gray, scale: ScalingFactor = .eighth, codec: JPEGCodec = JPEGCodec()) {
        self.format = format
        self.scale = scale
        self.codec = codec
    }

    /// How many times a frame was actually decoded (not found remembered).
    public var decodeCount: Int { decodes.load(ordering: .relaxed) }

    /// `jpeg`'s header and image: remembered if `jpeg` is the frame decoded last, else decoded
    /// (and then remembered). Throws the codec's ``JPEGError`` for a frame that does not decode.
    public func decode(_ jpeg: [UInt8]) throws(JPEGError) -> Decoded {
        if let remembered = last.withLock({ $0 }), remembered.jpeg == jpeg { return remembered.decoded }
        let (info, image) = try codec.decodeWithInfo(jpeg, format: format, scale: scale)
        decodes.add(1, ordering: .relaxed)
        let decoded = Decoded(info: info, image: image)
        last.withLock { $0 = (jpeg, decoded) }
        return decoded
    }
}
