import JPEG

/// Software motion detection on a camera's JPEG frames, in the manner of the `motion` daemon.
///
/// Each frame is decoded in greyscale at a reduced scale (libturbojpeg's DCT scaling, 1/8 by
/// default) and compared with a slowly adapting background. A pixel has changed when it
/// differs from the background by more than the per-pixel threshold (raised automatically to
/// follow the scene's noise) and enough of its neighbours changed too; a frame shows motion
/// when the changed pixels make up enough of the unmasked image; motion is reported after
/// enough such frames in a row. A change of the whole image's brightness (the camera's
/// exposure, dimming light) is taken off before comparing. The background follows the scene
/// (`background += rate * (frame - background)`), more slowly where pixels changed. A frame in
/// which most of the image changed at once is taken for a change of light and becomes the new
/// background.
///
/// A value type: `analyse` is `mutating`, so one detector follows one camera's frames, owned
/// by whatever runs that camera's capture loop, without locks. Copies are independent but share
/// their ``decoder``; ``forAnotherCamera()`` makes one with a decoder of its own.
public struct MotionDetector: Sendable {
    /// The settings, validated.
    public let settings: MotionDetectorSettings
    /// Decodes frames for analysis (greyscale at ``MotionDetectorSettings/decodeScale``): a
    /// camera driver that checks frames by decoding them through it (its frame validator)
    /// saves the analysis a second decode.
    public private(set) var decoder: FrameDecoder
    private var background: MotionBackground?
    private var consecutiveMotionFrames = 0

    /// How fast the automatic noise level follows the measured noise, per frame.
    private static let noiseSmoothing: Float = 0.1

    /// A detector with no background yet: the first frame analysed becomes it. Throws
    /// ``MotionDetectorError/invalidSettings(setting:reason:)`` for settings out of range.
    public init(settings: MotionDetectorSettings = MotionDetectorSettings(), codec: JPEGCodec = JPEGCodec())
        throws(MotionDetectorError)
    {
        try settings.validate()
        self.settings = settings
        decoder = FrameDecoder(format: .gray, scale: settings.decodeScale, codec: codec)
    }

    /// A detector with these settings, no background and a decoder of its own, for another
    /// camera's frames.
    public func forAnotherCamera() -> MotionDetector {
        var detector = self
        detector.background = nil
        detector.consecutiveMotionFrames = 0
        detector.decoder = FrameDecoder(format: decoder.format, scale: decoder.scale)
        return detector
    }

    /// Forgets the background, the noise level and the run of motion frames: the next frame
    /// starts afresh (as after the camera was reconnected).
    public mutating func reset() {
        background = nil
        consecutiveMotionFrames = 0
    }

    /// Analyses the next frame, `jpeg` (a complete JPEG stream), and updates the background.
    ///
    /// The first frame, and a frame whose size differs from the previous one's, become the
    /// background and report no motion (``MotionAnalysis/backgroundReset``). Throws
    /// ``MotionDetectorError/decode(_:)`` for a frame that cannot be decoded, leaving the
    /// detector as it was.
    public mutating func analyse(jpeg: [UInt8]) throws(MotionDetectorError) -> MotionAnalysis {
        let info: JPEGInfo
        let image: Image
        do {
            let decoded = try decoder.decode(jpeg)
            info = decoded.info
            image = decoded.image
        } catch {
            throw .decode(error)
        }

        guard var background, background.frameWidth == info.width, background.frameHeight == info.height else {
            let reason: MotionAnalysis.BackgroundReset = self.background == nil ? .firstFrame : .frameSizeChanged
            let fresh = MotionBackground(
                image: image, frameWidth: info.width, frameHeight: info.height, scale: settings.decodeScale,
                masks: settings.masks)
            self.background = fresh
            consecutiveMotionFrames = 0
            var nothingCompared = MotionBackground.Comparison()
            nothingCompared.meanLuma = MotionBackground.meanLuma(of: image)
            return analysis(
                of: image, in: fresh, nothingCompared, threshold: settings.pixelThreshold, reset: reason,
                frameShowsMotion: false)
        }
        // Taken out of self while it changes, so that its arrays are not copied on write.
        self.background = nil
        defer { self.background = background }

        var threshold = pixelThreshold(noiseLevel: background.noiseLevel)
        var comparison = compare(image, with: &background, threshold: threshold)
        let previousNoiseLevel = background.noiseLevel
        if previousNoiseLevel == nil {
            // The first comparison: measure the noise on it and, if tuning, compare again with it.
            background.noiseLevel = comparison.medianDifference
            if settings.automaticNoise {
                threshold = pixelThreshold(noiseLevel: background.noiseLevel)
                comparison = compare(image, with: &background, threshold: threshold)
            }
        }
        let fraction = changedFraction(comparison, background)

        if let lightSwitch = settings.lightSwitchFraction, comparison.uncompensatedChanges > 0,
            Double(comparison.uncompensatedChanges) >= lightSwitch * Double(background.unmaskedCount)
        {
            background.replace(with: image)
            consecutiveMotionFrames = 0
            return analysis(
                of: image, in: background, comparison, threshold: threshold, reset: .lightSwitch,
                frameShowsMotion: false)
        }

        if let previousNoiseLevel {
            background.noiseLevel =
                previousNoiseLevel + Self.noiseSmoothing * (comparison.medianDifference - previousNoiseLevel)
        }
        let frameShowsMotion = comparison.changedPixels > 0 && fraction >= settings.minimumChangedFraction
        consecutiveMotionFrames = frameShowsMotion ? consecutiveMotionFrames + 1 : 0
        background.adapt(
            to: image, rate: Float(settings.adaptationRate), motionRate: Float(settings.motionAdaptationRate))
        return analysis(
            of: image, in: background, comparison, threshold: threshold, reset: nil,
            frameShowsMotion: frameShowsMotion)
    }

    private func compare(_ image: Image, with background: inout MotionBackground, threshold: Int) -> MotionBackground.Comparison {
        background.compare(
            image, threshold: threshold, neighbours: settings.minimumChangedNeighbours,
            compensatingBrightness: settings.brightnessCompensation)
    }

    /// The per-pixel threshold for a scene whose noise is `noiseLevel`.
    private func pixelThreshold(noiseLevel: Float?) -> Int {
        guard settings.automaticNoise, let noiseLevel else { return settings.pixelThreshold }
        let tuned = Int((4 * noiseLevel + 4).rounded(.up))
        return min(255, max(settings.pixelThreshold, tuned))
    }

    private func changedFraction(_ comparison: MotionBackground.Comparison, _ background: MotionBackground) -> Double {
        background.unmaskedCount > 0 ? Double(comparison.changedPixels) / Double(background.unmaskedCount) : 0
    }

    private func analysis(
        of image: Image, in background: MotionBackground, _ comparison: MotionBackground.Comparison,
        threshold: Int, reset: MotionAnalysis.BackgroundReset?, frameShowsMotion: Bool
    ) -> MotionAnalysis {
        MotionAnalysis(
            motion: consecutiveMotionFrames >= settings.minimumMotionFrames,
            frameShowsMotion: frameShowsMotion,
            consecutiveMotionFrames: consecutiveMotionFrames,
            changedFraction: changedFraction(comparison, background),
            changedPixels: comparison.changedPixels,
            boundingBox: comparison.changedPixels > 0
                ? background.fullFrameRectangle(
                    minX: comparison.minX, minY: comparison.minY, maxX: comparison.maxX, maxY: comparison.maxY)
                : nil,
            meanLuma: comparison.meanLuma,
            pixelThreshold: threshold,
            backgroundReset: reset,
            analysedWidth: image.width,
            analysedHeight: image.height)
    }
}
