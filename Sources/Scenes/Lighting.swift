/// How a frame's colours are lit: daylight (possibly dimmed at dawn and dusk) or night, when
/// the camera switches to its IR illuminator and shows a grey image.
struct Lighting: Sendable, Hashable {
    /// Whether this is the grey IR image.
    var isNight: Bool
    /// Brightness, in 256ths.
    var gain: Int

    static func day(brightness: Double) -> Lighting {
        Lighting(isNight: false, gain: Int((brightness * 256).rounded()))
    }

    /// At night surfaces reflect the IR illuminator dimly and without colour.
    static let night = Lighting(isNight: true, gain: 150)

    /// The colour a surface of day colour `color` shows; `emissive` sources (lit windows,
    /// headlights) keep their brightness at night.
    func shade(_ color: RGB, emissive: Bool = false) -> RGB {
        if isNight {
            let level = RGB.clamp(emissive ? color.luma : (color.luma * gain) >> 8)
            return RGB(level, level, level)
        }
        return emissive || gain == 256 ? color : color.scaled(gain)
    }
}
