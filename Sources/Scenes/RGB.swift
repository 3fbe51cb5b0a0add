/// A colour, 8 bits a channel.
struct RGB: Sendable, Hashable {
    var r: UInt8
    var g: UInt8
    var b: UInt8

    init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    static let black = RGB(0, 0, 0)
    static let white = RGB(255, 255, 255)

    /// Luma (BT.601 weights), 0...255.
    var luma: Int { (77 * Int(r) + 150 * Int(g) + 29 * Int(b)) >> 8 }

    /// This colour with each channel multiplied by `gain / 256`.
    func scaled(_ gain: Int) -> RGB {
        RGB(Self.clamp((Int(r) * gain) >> 8), Self.clamp((Int(g) * gain) >> 8), Self.clamp((Int(b) * gain) >> 8))
    }

    /// The colour `fraction` (0...1) of the way to `other`.
    func mixed(with other: RGB, _ fraction: Double) -> RGB {
        func channel(_ a: UInt8, _ b: UInt8) -> UInt8 {
            Self.clamp(Int((Double(a) + (Double(b) - Double(a)) * fraction).rounded()))
        }
        return RGB(channel(r, other.r), channel(g, other.g), channel(b, other.b))
    }

    /// A colour near this one, each channel moved by up to `spread` at random.
    func varied(by spread: Int, _ random: inout SceneRandom) -> RGB {
        RGB(
            Self.clamp(Int(r) + random.integer(-spread...spread)),
            Self.clamp(Int(g) + random.integer(-spread...spread)),
            Self.clamp(Int(b) + random.integer(-spread...spread)))
    }

    static func clamp(_ value: Int) -> UInt8 { UInt8(clamping: value) }
}
