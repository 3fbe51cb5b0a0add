/// The sensor's noise on one frame: the same seed and frame index always give the same noise.
///
/// By day each pixel's three channels move together by up to `amplitude` grey levels
/// (triangular distribution: small changes are the most common). Under IR the image is also
/// vignetted as a camera-mounted illuminator lights it: the sky and the far side dim, the
/// centre and the near ground brightest.
struct SensorNoise {
    var seed: UInt64
    var frame: Int
    var amplitude: Int

    init(seed: UInt64, frame: Int, amplitude: Int) {
        self.seed = seed
        self.frame = frame
        self.amplitude = amplitude
    }

    func apply(to canvas: Canvas, infrared: Bool) {
        // Byte -> offset: the sum of two 4-bit uniforms, centred, scaled to the amplitude. Past
        // +-255 every level saturates alike, so offsets stop there.
        var table = [Int](repeating: 0, count: 256)
        for byte in 0..<256 {
            table[byte] = min(max(((byte & 15) + (byte >> 4) - 15) * amplitude / 15, -255), 255)
        }
        // Level -> level clamped to 0...255, for levels -256...511: a lookup costs less than
        // `UInt8(clamping:)` in unoptimised builds, where every simulated frame is rendered.
        let clamp = (-256..<512).map { UInt8(clamping: $0) }
        var random = SceneRandom(seed: SceneRandom.mix(seed ^ 0x4E01_5E00_D1CE_0001), stream: UInt64(truncatingIfNeeded: frame))
        let width = canvas.width
        let height = canvas.height
        let pixels = canvas.pixels
        table.withUnsafeBufferPointer { offsets in clamp.withUnsafeBufferPointer { clamp in
            if infrared {
                let columns = Self.columnGains(width: width)
                columns.withUnsafeBufferPointer { columnGain in
                    for y in 0..<height {
                        let rowGain = Self.rowGain(y: y, height: height)
                        var row = pixels + y * width * 3
                        var bits: UInt64 = 0
                        for x in 0..<width {
                            if x & 7 == 0 { bits = random.next() }
                            let gain = (rowGain * columnGain[x]) >> 8
                            let level = clamp[256 + ((Int(row[0]) * gain) >> 8) + offsets[Int(bits & 0xFF)]]
                            bits >>= 8
                            row[0] = level
                            row[1] = level
                            row[2] = level
                            row += 3
                        }
                    }
                }
            } else {
                for y in 0..<height {
                    var row = pixels + y * width * 3
                    var bits: UInt64 = 0
                    for x in 0..<width {
                        if x & 7 == 0 { bits = random.next() }
                        let offset = offsets[Int(bits & 0xFF)]
                        bits >>= 8
                        row[0] = clamp[256 + Int(row[0]) + offset]
                        row[1] = clamp[256 + Int(row[1]) + offset]
                        row[2] = clamp[256 + Int(row[2]) + offset]
                        row += 3
                    }
                }
            }
        } }
    }

    /// The illuminator's reach by row, in 256ths: dim at the top, brightest at the bottom.
    private static func rowGain(y: Int, height: Int) -> Int {
        let position = (Double(y) + 0.5) / Double(height)
        let horizon = StreetLayout.horizon
        let gain = position < horizon ? 0.45 : 0.6 + 0.4 * (position - horizon) / (1 - horizon)
        return Int(gain * 256)
    }

    /// The illuminator's beam by column, in 256ths: brightest in the middle.
    private static func columnGains(width: Int) -> [Int] {
        (0..<width).map { x in
            let offset = ((Double(x) + 0.5) / Double(width) - 0.5) * 2
            return Int((1 - 0.35 * offset * offset) * 256)
        }
    }
}
