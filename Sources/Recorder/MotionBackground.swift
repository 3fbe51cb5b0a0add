import JPEG

/// The slowly adapting background a ``MotionDetector`` compares frames with, at reduced scale,
/// and the per-pixel work of one comparison.
struct MotionBackground: Sendable {
    /// The full-frame size the background was made for.
    let frameWidth: Int
    let frameHeight: Int
    /// The reduced-scale size it is kept at.
    let width: Int
    let height: Int
    private let scale: ScalingFactor
    /// Grey level of each reduced-scale pixel, row-major.
    private var levels: [Float]
    /// 1 where a pixel is masked out.
    private let masked: [UInt8]
    /// Pixels not masked out.
    let unmaskedCount: Int
    /// Changed pixels before noise tolerance, kept between frames to save allocating it.
    private var rawChanges: [UInt8]
    /// The median absolute difference from the background on recent frames, once measured.
    var noiseLevel: Float?

    /// A background that is `image` (reduced-scale, greyscale) of a `frameWidth` x
    /// `frameHeight` frame decoded at `scale`, with `masks` (full-frame) excluded.
    init(image: Image, frameWidth: Int, frameHeight: Int, scale: ScalingFactor, masks: [PixelRectangle]) {
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.width = image.width
        self.height = image.height
        self.scale = scale
        levels = image.pixels.map(Float.init)
        rawChanges = [UInt8](repeating: 0, count: image.pixels.count)
        var masked = [UInt8](repeating: 0, count: image.pixels.count)
        if !masks.isEmpty {
            for y in 0..<image.height {
                let top = Self.fullStart(y, scale)
                let bottom = Self.fullEnd(y, scale, limit: frameHeight)
                for x in 0..<image.width {
                    let left = Self.fullStart(x, scale)
                    let right = Self.fullEnd(x, scale, limit: frameWidth)
                    if masks.contains(where: { $0.overlaps(left: left, top: top, right: right, bottom: bottom) }) {
                        masked[y * image.width + x] = 1
                    }
                }
            }
        }
        self.masked = masked
        unmaskedCount = masked.count - masked.reduce(0) { $0 + Int($1) }
    }

    /// What one frame's comparison with the background found.
    struct Comparison {
        /// Changed pixels after noise tolerance.
        var changedPixels = 0
        /// Their bounding box at reduced scale, inclusive; meaningless when none changed.
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        /// Unmasked pixels that differ by more than the threshold before brightness
        /// compensation and noise tolerance.
        var uncompensatedChanges = 0
        /// Median absolute difference over unmasked pixels, in whole grey levels: the noise,
        /// as long as less than half the image really changed.
        var medianDifference: Float = 0
        /// Mean grey level over every pixel.
        var meanLuma: Double = 0
    }

    /// Compares `image` (the same reduced size) with the background: a pixel has changed if it
    /// differs by more than `threshold` and at least `neighbours` of its eight neighbours did too.
    /// With `compensatingBrightness`, the background is first scaled by the median ratio of
    /// frame to background (a change of exposure or light scales every grey level alike).
    /// Remembers which pixels changed for ``adapt(to:rate:motionRate:)``.
    mutating func compare(
        _ image: Image, threshold: Int, neighbours: Int, compensatingBrightness: Bool
    ) -> Comparison {
        var result = Comparison()
        let width = width
        let height = height
        let limit = Float(threshold)
        let gain = compensatingBrightness ? medianGain(image) : 1
        var differences = [Int](repeating: 0, count: 256)
        var lumaTotal = 0
        var uncompensated = 0
        image.pixels.withUnsafeBufferPointer { frame in
            levels.withUnsafeBufferPointer { background in
                masked.withUnsafeBufferPointer { masked in
                    rawChanges.withUnsafeMutableBufferPointer { raw in
                        differences.withUnsafeMutableBufferPointer { differences in
                            for index in 0..<frame.count {
                                let level = Float(frame[index])
                                lumaTotal &+= Int(frame[index])
                                let unmasked = masked[index] == 0
                                let difference = abs(level - gain * background[index])
                                differences[min(255, Int(difference))] &+= unmasked ? 1 : 0
                                raw[index] = difference > limit && unmasked ? 1 : 0
                                uncompensated &+= abs(level - background[index]) > limit && unmasked ? 1 : 0
                            }
                        }
                    }
                }
            }
        }
        rawChanges.withUnsafeBufferPointer { raw in
            for y in 0..<height {
                for x in 0..<width where raw[y * width + x] != 0 {
                    if neighbours > 0 && Self.changedNeighbours(raw, x: x, y: y, width: width, height: height) < neighbours {
                        continue
                    }
                    result.changedPixels += 1
                    result.minX = min(result.minX, x)
                    result.maxX = max(result.maxX, x)
                    result.minY = min(result.minY, y)
                    result.maxY = max(result.maxY, y)
                }
            }
        }
        result.uncompensatedChanges = uncompensated
        result.medianDifference = Self.median(of: differences, count: unmaskedCount).map(Float.init) ?? 0
        result.meanLuma = Double(lumaTotal) / Double(image.pixels.count)
        return result
    }

    /// Ratios of frame to background are binned in steps of 1/`gainSteps` up to `gainBins` bins.
    private static let gainSteps = 128
    private static let gainBins = 4 * gainSteps
    /// Background levels below this are too dark to say by how much the light changed.
    private static let darkestForGain: Float = 16

    /// The median ratio of `image` to the background over unmasked pixels that are not too
    /// dark, or 1 when there are none.
    private func medianGain(_ image: Image) -> Float {
        var histogram = [Int](repeating: 0, count: Self.gainBins)
        var counted = 0
        image.pixels.withUnsafeBufferPointer { frame in
            levels.withUnsafeBufferPointer { background in
                masked.withUnsafeBufferPointer { masked in
                    histogram.withUnsafeMutableBufferPointer { histogram in
                        for index in 0..<frame.count where masked[index] == 0 && background[index] >= Self.darkestForGain {
                            let ratio = Float(frame[index]) / background[index]
                            histogram[min(Self.gainBins - 1, Int(ratio * Float(Self.gainSteps)))] += 1
                            counted += 1
                        }
                    }
                }
            }
        }
        guard let bin = Self.median(of: histogram, count: counted) else { return 1 }
        return (Float(bin) + 0.5) / Float(Self.gainSteps)
    }

    /// The bin holding the median of the `count` values counted in `histogram`; nil if none.
    private static func median(of histogram: [Int], count: Int) -> Int? {
        var remaining = count / 2
        for (bin, binCount) in histogram.enumerated() {
            remaining -= binCount
            if remaining < 0 { return bin }
        }
        return nil
    }

    /// Moves the background towards `image`: by `rate` of the difference where the last
    /// ``compare(_:threshold:neighbours:)`` found no change, by `motionRate` where it did.
    mutating func adapt(to image: Image, rate: Float, motionRate: Float) {
        image.pixels.withUnsafeBufferPointer { frame in
            rawChanges.withUnsafeBufferPointer { raw in
                levels.withUnsafeMutableBufferPointer { background in
                    for index in 0..<frame.count {
                        let step = raw[index] == 0 ? rate : motionRate
                        background[index] += step * (Float(frame[index]) - background[index])
                    }
                }
            }
        }
    }

    /// The mean grey level of `image`.
    static func meanLuma(of image: Image) -> Double {
        Double(image.pixels.reduce(0) { $0 &+ Int($1) }) / Double(image.pixels.count)
    }

    /// Makes `image` (the same reduced size) the background.
    mutating func replace(with image: Image) {
        levels = image.pixels.map(Float.init)
    }

    /// The full-frame rectangle covering reduced-scale pixels `minX...maxX` x `minY...maxY`.
    func fullFrameRectangle(minX: Int, minY: Int, maxX: Int, maxY: Int) -> PixelRectangle {
        let left = Self.fullStart(minX, scale)
        let top = Self.fullStart(minY, scale)
        return PixelRectangle(
            x: left, y: top, width: Self.fullEnd(maxX, scale, limit: frameWidth) - left,
            height: Self.fullEnd(maxY, scale, limit: frameHeight) - top)
    }

    /// The first full-frame row or column reduced-scale `index` covers.
    private static func fullStart(_ index: Int, _ scale: ScalingFactor) -> Int {
        index * scale.denominator / scale.numerator
    }

    /// One past the last full-frame row or column reduced-scale `index` covers.
    private static func fullEnd(_ index: Int, _ scale: ScalingFactor, limit: Int) -> Int {
        min(limit, ((index + 1) * scale.denominator + scale.numerator - 1) / scale.numerator)
    }

    private static func changedNeighbours(
        _ raw: UnsafeBufferPointer<UInt8>, x: Int, y: Int, width: Int, height: Int
    ) -> Int {
        var count = 0
        for row in max(0, y - 1)...min(height - 1, y + 1) {
            for column in max(0, x - 1)...min(width - 1, x + 1) where row != y || column != x {
                count += Int(raw[row * width + column])
            }
        }
        return count
    }
}
