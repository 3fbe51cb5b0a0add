import CTurboJPEG

/// Chrominance subsampling of a JPEG image.
///
/// Camera modules such as the VC0706 produce 4:2:2; ``gray`` is a single-component (luminance
/// only) JPEG. ``s440`` and ``s411`` are reported by ``JPEGCodec/info(_:)`` for images made
/// elsewhere and are accepted by the encoder, but are not accelerated by libjpeg-turbo.
public enum Subsampling: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case s444, s422, s420, gray, s440, s411

    init?(turbo value: Int32) {
        switch value {
        case Int32(TJSAMP_444.rawValue): self = .s444
        case Int32(TJSAMP_422.rawValue): self = .s422
        case Int32(TJSAMP_420.rawValue): self = .s420
        case Int32(TJSAMP_GRAY.rawValue): self = .gray
        case Int32(TJSAMP_440.rawValue): self = .s440
        case Int32(TJSAMP_411.rawValue): self = .s411
        default: return nil
        }
    }

    var turboValue: Int32 {
        switch self {
        case .s444: Int32(TJSAMP_444.rawValue)
        case .s422: Int32(TJSAMP_422.rawValue)
        case .s420: Int32(TJSAMP_420.rawValue)
        case .gray: Int32(TJSAMP_GRAY.rawValue)
        case .s440: Int32(TJSAMP_440.rawValue)
        case .s411: Int32(TJSAMP_411.rawValue)
        }
    }

    /// The usual notation: `4:2:0`, `gray`, ...
    public var description: String {
        switch self {
        case .s444: "4:4:4"
        case .s422: "4:2:2"
        case .s420: "4:2:0"
        case .gray: "gray"
        case .s440: "4:4:0"
        case .s411: "4:1:1"
        }
    }
}
