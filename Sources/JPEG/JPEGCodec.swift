import CTurboJPEG

/// Baseline JPEG encoding and decoding through libturbojpeg.
///
/// Thread safety: a codec is `Sendable` and may be shared freely. Each call borrows a
/// libturbojpeg handle of its own from a small pool (created lazily on first use, reused
/// afterwards, freed with the codec), so concurrent calls run in parallel rather than waiting
/// for each other. Sharing one codec between many users is therefore as fast as giving each
/// its own, and keeps fewer handles alive.
///
/// Every failure is a ``JPEGError`` naming the libturbojpeg call and its error string; corrupt,
/// truncated or garbage input never crashes.
public final class JPEGCodec: Sendable {
    private let compressors = TurboInstancePool(.compressor)
    private let decompressors = TurboInstancePool(.decompressor)
    /// The largest image, in pixels after scaling, ``decode(_:format:scale:)`` will allocate for:
    /// a corrupt or hostile header can claim up to 65535 x 65535.
    public let maximumDecodedPixels: Int

    /// A codec; `maximumDecodedPixels` defaults to 50 megapixels.
    public init(maximumDecodedPixels: Int = 50_000_000) {
        self.maximumDecodedPixels = maximumDecodedPixels
    }

    /// Encodes `image` as a baseline JPEG at `quality` (1...100) with the given chrominance
    /// subsampling; returns the whole stream, from FF D8 to FF D9.
    ///
    /// A ``PixelFormat/gray`` image has no colour to subsample and is always written as a
    /// single-component (``Subsampling/gray``) JPEG, whatever `subsampling` says. An
    /// ``PixelFormat/rgb`` image with ``Subsampling/gray`` is converted to luminance.
    public func encode(
        _ image: Image, quality: Int, subsampling: Subsampling = .s422
    ) throws(JPEGError) -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw .invalidArgument("JPEGCodec.encode", "quality \(quality) is outside 1...100")
        }
        try image.checkPixelCount("JPEGCodec.encode")
        let sampling = image.format == .gray ? Subsampling.gray : subsampling
        return try compressors.withInstance { (instance) throws(JPEGError) -> [UInt8] in
            var size = instance.outputSizeBound
            let status = image.pixels.withUnsafeBufferPointer { pixels in
                tjCompress2(
                    instance.handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height),
                    image.format.turboFormat, &instance.outputBuffer, &size,
                    sampling.turboValue, Int32(quality), 0)
            }
            guard status == 0, let output = instance.outputBuffer else {
                throw instance.error("tjCompress2")
            }
            instance.outputSizeBound = max(instance.outputSizeBound, size)
            return Array(UnsafeBufferPointer(start: output, count: Int(size)))
        }
    }

    /// Reads the size and subsampling from `jpeg`'s header without decoding the image.
    public func info(_ jpeg: [UInt8]) throws(JPEGError) -> JPEGInfo {
        try decompressors.withInstance { (instance) throws(JPEGError) -> JPEGInfo in
            try Self.header(jpeg, instance)
        }
    }

    /// Decodes `jpeg` into an image in `format`, shrunk by `scale` while decoding.
    ///
    /// The result is `scale.scaled(width)` by `scale.scaled(height)` (rounded up). `scale` must
    /// be one of ``ScalingFactor/supported``. A stream libturbojpeg can only partly decode (a
    /// truncated one, say) throws a ``JPEGError`` with severity ``JPEGError/Severity/warning``.
    /// A stream whose header claims more than ``maximumDecodedPixels`` (after scaling) is
    /// refused before anything is allocated.
    public func decode(
        _ jpeg: [UInt8], format: PixelFormat = .rgb, scale: ScalingFactor = .one
    ) throws(JPEGError) -> Image {
        try decodeWithInfo(jpeg, format: format, scale: scale).image
    }

    /// Like ``decode(_:format:scale:)``, also returning what the header says (the full size
    /// and subsampling), read in the same pass.
    public func decodeWithInfo(
        _ jpeg: [UInt8], format: PixelFormat = .rgb, scale: ScalingFactor = .one
    ) throws(JPEGError) -> (info: JPEGInfo, image: Image) {
        guard scale.isSupported else {
            throw .invalidArgument(
                "JPEGCodec.decode",
                "scaling factor \(scale) is not supported; supported: "
                    + ScalingFactor.supported.map(\.description).joined(separator: ", "))
        }
        return try decompressors.withInstance { (instance) throws(JPEGError) -> (info: JPEGInfo, image: Image) in
            let header = try Self.header(jpeg, instance)
            let width = scale.scaled(header.width)
            let height = scale.scaled(header.height)
            guard width * height <= maximumDecodedPixels else {
                throw .invalidArgument(
                    "JPEGCodec.decode",
                    "\(width)x\(height) is more than the \(maximumDecodedPixels) pixels this codec decodes")
            }
            var failed = false
            let pixels = jpeg.withUnsafeBufferPointer { source in
                [UInt8](unsafeUninitializedCapacity: width * height * format.bytesPerPixel) { buffer, count in
                    failed = tjDecompress2(
                        instance.handle, source.baseAddress, UInt(source.count), buffer.baseAddress,
                        Int32(width), 0, Int32(height), format.turboFormat, 0) != 0
                    // On failure the contents are discarded, but the array must still be initialised.
                    if failed { buffer.initialize(repeating: 0) }
                    count = buffer.count
                }
            }
            if failed { throw instance.error("tjDecompress2") }
            return (header, try Image(width: width, height: height, format: format, pixels: pixels))
        }
    }

    private static func header(_ jpeg: [UInt8], _ instance: TurboInstance) throws(JPEGError) -> JPEGInfo {
        var width: Int32 = 0
        var height: Int32 = 0
        var sampling: Int32 = 0
        var colorspace: Int32 = 0
        let status = jpeg.withUnsafeBufferPointer { source in
            tjDecompressHeader3(
                instance.handle, source.baseAddress, UInt(source.count), &width, &height, &sampling,
                &colorspace)
        }
        guard status == 0 else { throw instance.error("tjDecompressHeader3") }
        guard let subsampling = Subsampling(turbo: sampling) else {
            throw JPEGError(call: "tjDecompressHeader3", message: "unknown subsampling \(sampling)")
        }
        return JPEGInfo(width: Int(width), height: Int(height), subsampling: subsampling)
    }
}
