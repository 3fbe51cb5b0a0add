extension Image {
    /// This image resampled to `width` by `height`: along each axis, averaged over the source
    /// pixels each destination pixel covers (a box filter) when shrinking, and the nearest
    /// source pixel when enlarging. Returns the image itself when the size already matches.
    public func resized(width newWidth: Int, height newHeight: Int) throws(JPEGError) -> Image {
        try Self.checkDimensions(width: newWidth, height: newHeight)
        try checkPixelCount("Image.resized")
        if newWidth == width && newHeight == height { return self }
        let columns = Self.sourceSpans(from: width, to: newWidth)
        let rows = Self.sourceSpans(from: height, to: newHeight)
        let channels = format.bytesPerPixel
        let sourceWidth = width
        let count = newWidth * newHeight * channels
        let output = pixels.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: count) { destination, initialized in
                var out = 0
                for row in rows {
                    for column in columns {
                        let area = (row.upperBound - row.lowerBound) * (column.upperBound - column.lowerBound)
                        for channel in 0..<channels {
                            var sum = 0
                            for y in row {
                                var index = (y * sourceWidth + column.lowerBound) * channels + channel
                                for _ in column {
                                    sum += Int(source[index])
                                    index += channels
                                }
                            }
                            destination[out] = UInt8((sum + area / 2) / area)
                            out += 1
                        }
                    }
                }
                initialized = count
            }
        }
        return try Image(width: newWidth, height: newHeight, format: format, pixels: output)
    }

    /// For each of `destination` pixels along an axis, the source pixels it takes its value from.
    private static func sourceSpans(from source: Int, to destination: Int) -> [Range<Int>] {
        (0..<destination).map { index in
            if destination >= source {
                let nearest = min(source - 1, (2 * index + 1) * source / (2 * destination))
                return nearest..<(nearest + 1)
            }
            let start = index * source / destination
            return start..<max(start + 1, (index + 1) * source / destination)
        }
    }
}
