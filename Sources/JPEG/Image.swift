/// An uncompressed image: `pixels` holds `height` rows of `width` pixels, top row first, packed
/// with no padding, in ``format`` (``PixelFormat/gray``: 1 byte a pixel; ``PixelFormat/rgb``: 3).
///
/// The initialiser guarantees `pixels.count == width * height * format.bytesPerPixel` with
/// positive dimensions that libturbojpeg can handle. Code that mutates `pixels` must keep its
/// size; the codec checks it again and throws rather than read past the end.
public struct Image: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public let format: PixelFormat
    public var pixels: [UInt8]

    /// The largest width or height accepted (JPEG's own limit).
    public static let maximumDimension = 65_500

    /// Wraps `pixels`; throws if a dimension is not in `1...maximumDimension` or the buffer's
    /// size does not match them.
    public init(width: Int, height: Int, format: PixelFormat, pixels: [UInt8]) throws(JPEGError) {
        try Self.checkDimensions(width: width, height: height)
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
        try checkPixelCount("Image.init")
    }

    /// An image of the given size with every byte set to `value` (black for 0).
    public init(width: Int, height: Int, format: PixelFormat, filledWith value: UInt8 = 0) throws(JPEGError) {
        try Self.checkDimensions(width: width, height: height)
        self.width = width
        self.height = height
        self.format = format
        self.pixels = [UInt8](repeating: value, count: width * height * format.bytesPerPixel)
    }

    /// Bytes per row.
    public var rowStride: Int { width * format.bytesPerPixel }

    /// Throws unless `pixels` still has the size the dimensions call for (it is mutable, so
    /// code handing it to C checks again).
    func checkPixelCount(_ api: String) throws(JPEGError) {
        guard pixels.count == height * rowStride else {
            throw .invalidArgument(api, "\(width)x\(height) \(format) needs \(height * rowStride) bytes, has \(pixels.count)")
        }
    }

    static func checkDimensions(width: Int, height: Int) throws(JPEGError) {
        guard (1...maximumDimension).contains(width), (1...maximumDimension).contains(height) else {
            throw .invalidArgument(
                "Image.init", "size \(width)x\(height) is outside 1...\(maximumDimension) in each dimension")
        }
    }
}
