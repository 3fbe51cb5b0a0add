import CTurboJPEG

/// A fraction by which the decoder shrinks (or enlarges) an image while decoding it.
///
/// Decoding at a reduced scale skips most of the inverse DCT and is several times faster than
/// decoding in full and shrinking afterwards: the motion detector decodes at ``eighth``.
/// Only the factors in ``supported`` (libjpeg-turbo's n/8 for n in 1...16) are accepted.
public struct ScalingFactor: Sendable, Hashable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    /// The factor `numerator/denominator`, kept in lowest terms, or nil unless both are
    /// positive. Whether the decoder supports it is checked when it is used.
    public init?(_ numerator: Int, _ denominator: Int) {
        guard numerator > 0, denominator > 0 else { return nil }
        self.init(reducing: numerator, denominator)
    }

    private init(reducing numerator: Int, _ denominator: Int) {
        let divisor = Self.gcd(numerator, denominator)
        self.numerator = numerator / divisor
        self.denominator = denominator / divisor
    }

    public static let one = ScalingFactor(reducing: 1, 1)
    public static let half = ScalingFactor(reducing: 1, 2)
    public static let quarter = ScalingFactor(reducing: 1, 4)
    public static let eighth = ScalingFactor(reducing: 1, 8)

    /// The factors libturbojpeg's decoder supports (from `tjGetScalingFactors`), largest first.
    public static let supported: [ScalingFactor] = {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count), count > 0 else { return [.one] }
        return (0..<Int(count)).compactMap { ScalingFactor(Int(factors[$0].num), Int(factors[$0].denom)) }
    }()

    /// Whether the decoder can decode at this factor.
    public var isSupported: Bool { Self.supported.contains(self) }

    /// `dimension` scaled by this factor, rounded up as libturbojpeg does (`TJSCALED`).
    public func scaled(_ dimension: Int) -> Int {
        (dimension * numerator + denominator - 1) / denominator
    }

    public var description: String { "\(numerator)/\(denominator)" }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
