import CTurboJPEG

/// The layout of an ``Image``'s pixels: packed, row-major, top row first, no padding.
public enum PixelFormat: String, Sendable, Hashable, CaseIterable {
    /// One byte of luminance per pixel.
    case gray
    /// Three bytes per pixel: red, green, blue.
    case rgb

    /// Bytes per pixel: 1 for ``gray``, 3 for ``rgb``.
    public var bytesPerPixel: Int {
        switch self {
        case .gray: 1
        case .rgb: 3
        }
    }

    var turboFormat: Int32 {
        switch self {
        case .gray: Int32(TJPF_GRAY.rawValue)
        case .rgb: Int32(TJPF_RGB.rawValue)
        }
    }
}
