import JPEG

/// How a ``MotionDetector`` decides that a frame shows motion.
///
/// Decoding to `Codable` accepts any subset of the keys: a missing one keeps its default, so a
/// configuration file names only what it changes. ``validate()`` (which the detector's
/// initialiser calls) rejects values out of range.
public struct MotionDetectorSettings: Sendable, Hashable, Codable {
    /// The scale at which frames are decoded (by libturbojpeg's DCT scaling, in greyscale):
    /// 1/8 turns a 640x480 frame into 80x60 pixels, each the average of an 8x8 block, which
    /// also averages sensor noise away. One of libturbojpeg's supported factors.
    public var decodeScale: ScalingFactor = .eighth
    /// How many grey levels (0...255) a reduced-scale pixel must differ from the background to
    /// count as changed. With ``automaticNoise`` this is the floor under the measured noise.
    public var pixelThreshold: Int = 12
    /// Whether the per-pixel threshold rises above ``pixelThreshold`` to follow the scene's own
    /// noise (as the `motion` daemon's `noise_tune`): 4 times the median absolute difference
    /// from the background, plus 4. The median is measured on every frame (the first one
    /// compared included) and smoothed; moving objects do not raise it unless they fill half
    /// the image.
    public var automaticNoise: Bool = true
    /// The fraction (0...1) of the unmasked reduced-scale pixels that must change for a frame
    /// to show motion.
    public var minimumChangedFraction: Double = 0.004
    /// Noise tolerance: a changed pixel counts only if at least this many (0...8) of its eight
    /// neighbours changed too, so isolated specks of noise never add up to motion. 0 counts
    /// every changed pixel.
    public var minimumChangedNeighbours: Int = 2
    /// Whether a change of the whole image's brightness (as when the camera adjusts its
    /// exposure or the light dims) is taken off before comparing, so that it does not count as
    /// change: the background is scaled by the median ratio of frame to background.
    public var brightnessCompensation: Bool = true
    /// How fast (0...1, per frame) the background follows unchanged pixels:
    /// `background += rate * (frame - background)`.
    public var adaptationRate: Double = 0.05
    /// The same for changed pixels (0...1, at most ``adaptationRate``): slow, so that moving
    /// objects do not smear into the background, but not 0, so that an object that stops
    /// (a parked car) or a lasting change of light is absorbed in time.
    public var motionAdaptationRate: Double = 0.01
    /// A frame in which at least this fraction (0...1) of the unmasked pixels differ by more
    /// than the threshold (before brightness compensation and noise tolerance) is taken for a
    /// change of light (lights on, a cloud, the IR illuminator switching), not motion:
    /// the background restarts from it. Nil never treats a change so.
    public var lightSwitchFraction: Double? = 0.5
    /// Regions, in full-frame pixel coordinates, where changes are ignored. A reduced-scale
    /// pixel that overlaps a mask at all is masked.
    public var masks: [PixelRectangle] = []
    /// How many consecutive frames (at least 1) must show motion before it is reported; the
    /// report then lasts for as long as the frames keep showing it.
    public var minimumMotionFrames: Int = 1

    private enum CodingKeys: String, CodingKey {
        case decodeScale, pixelThreshold, automaticNoise, minimumChangedFraction, minimumChangedNeighbours
        case brightnessCompensation, adaptationRate, motionAdaptationRate, lightSwitchFraction, masks
        case minimumMotionFrames
    }

    /// The defaults, changed by whatever the caller sets afterwards.
    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        let defaults = MotionDetectorSettings()
        decodeScale = try value(.decodeScale, defaults.decodeScale)
        pixelThreshold = try value(.pixelThreshold, defaults.pixelThreshold)
        automaticNoise = try value(.automaticNoise, defaults.automaticNoise)
        minimumChangedFraction = try value(.minimumChangedFraction, defaults.minimumChangedFraction)
        minimumChangedNeighbours = try value(.minimumChangedNeighbours, defaults.minimumChangedNeighbours)
        brightnessCompensation = try value(.brightnessCompensation, defaults.brightnessCompensation)
        adaptationRate = try value(.adaptationRate, defaults.adaptationRate)
        motionAdaptationRate = try value(.motionAdaptationRate, defaults.motionAdaptationRate)
        lightSwitchFraction =
            container.contains(.lightSwitchFraction)
            ? try container.decodeIfPresent(Double.self, forKey: .lightSwitchFraction) : defaults.lightSwitchFraction
        masks = try value(.masks, defaults.masks)
        minimumMotionFrames = try value(.minimumMotionFrames, defaults.minimumMotionFrames)
    }

    /// Encodes every setting, ``lightSwitchFraction`` as null when it is nil (an absent key
    /// would decode as the default).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decodeScale, forKey: .decodeScale)
        try container.encode(pixelThreshold, forKey: .pixelThreshold)
        try container.encode(automaticNoise, forKey: .automaticNoise)
        try container.encode(minimumChangedFraction, forKey: .minimumChangedFraction)
        try container.encode(minimumChangedNeighbours, forKey: .minimumChangedNeighbours)
        try container.encode(brightnessCompensation, forKey: .brightnessCompensation)
        try container.encode(adaptationRate, forKey: .adaptationRate)
        try container.encode(motionAdaptationRate, forKey: .motionAdaptationRate)
        try container.encode(lightSwitchFraction, forKey: .lightSwitchFraction)
        try container.encode(masks, forKey: .masks)
        try container.encode(minimumMotionFrames, forKey: .minimumMotionFrames)
    }

    /// Throws ``MotionDetectorError/invalidSettings(setting:reason:)`` naming the first setting
    /// out of range.
    public func validate() throws(MotionDetectorError) {
        func check(_ valid: Bool, _ setting: String, _ reason: @autoclosure () -> String) throws(MotionDetectorError) {
            if !valid { throw .invalidSettings(setting: setting, reason: reason()) }
        }
        try check(
            decodeScale.isSupported, "decodeScale",
            "\(decodeScale) is not supported; supported: "
                + ScalingFactor.supported.map(\.description).joined(separator: ", "))
        try check((0...255).contains(pixelThreshold), "pixelThreshold", "\(pixelThreshold) is outside 0...255")
        try check(
            (0...1).contains(minimumChangedFraction), "minimumChangedFraction",
            "\(minimumChangedFraction) is outside 0...1")
        try check(
            (0...8).contains(minimumChangedNeighbours), "minimumChangedNeighbours",
            "\(minimumChangedNeighbours) is outside 0...8")
        try check((0...1).contains(adaptationRate), "adaptationRate", "\(adaptationRate) is outside 0...1")
        try check(
            (0...adaptationRate).contains(motionAdaptationRate), "motionAdaptationRate",
            "\(motionAdaptationRate) is outside 0...adaptationRate (\(adaptationRate))")
        if let lightSwitchFraction {
            try check(
                (0...1).contains(lightSwitchFraction), "lightSwitchFraction",
                "\(lightSwitchFraction) is outside 0...1")
        }
        for (index, mask) in masks.enumerated() {
            try check(
                mask.width > 0 && mask.height > 0, "masks[\(index)]", "\(mask) has no area")
            try check(
                mask.isWithinLimits, "masks[\(index)]",
                "\(mask) reaches beyond \(PixelRectangle.maximumCoordinate) pixels or starts below 0")
        }
        try check(minimumMotionFrames >= 1, "minimumMotionFrames", "\(minimumMotionFrames) is less than 1")
    }
}
