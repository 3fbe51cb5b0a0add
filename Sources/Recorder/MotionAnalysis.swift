/// What ``MotionDetector/analyse(jpeg:)`` found in one frame.
///
/// Pixel counts and fractions are of the reduced-scale image the detector works on (80x60 for
/// a 640x480 frame at 1/8); the bounding box is in full-frame pixel coordinates.
public struct MotionAnalysis: Sendable, Hashable {
    /// Why the background was replaced by a frame instead of compared with it.
    public enum BackgroundReset: String, Sendable, Hashable, Codable {
        /// The first frame the detector saw (or the first after ``MotionDetector/reset()``).
        case firstFrame
        /// The frame's size differs from the previous frames'.
        case frameSizeChanged
        /// So much of the frame changed at once (see
        /// ``MotionDetectorSettings/lightSwitchFraction``) that it was taken for a change of light.
        case lightSwitch
    }

    /// Whether motion is reported: this frame and the ``MotionDetectorSettings/minimumMotionFrames``
    /// minus one before it each had enough changed pixels.
    public var motion: Bool
    /// Whether this frame alone had enough changed pixels, whatever the frames before it had.
    public var frameShowsMotion: Bool
    /// How many frames in a row, this one included, have shown motion (0 if this one did not).
    public var consecutiveMotionFrames: Int
    /// Changed pixels (after noise tolerance) over unmasked pixels, 0...1.
    public var changedFraction: Double
    /// Changed pixels after noise tolerance, at reduced scale.
    public var changedPixels: Int
    /// The smallest rectangle holding every changed pixel, in full-frame coordinates; nil when
    /// nothing changed.
    public var boundingBox: PixelRectangle?
    /// The frame's mean luma, 0 (black) ... 255 (white), over the whole frame, masks included.
    public var meanLuma: Double
    /// The per-pixel threshold used for this frame: ``MotionDetectorSettings/pixelThreshold``,
    /// or more where automatic noise tuning measured more noise.
    public var pixelThreshold: Int
    /// Set when the background was (re)initialised from this frame rather than compared with
    /// it; motion is then not reported.
    public var backgroundReset: BackgroundReset?
    /// The width and height of the reduced-scale image analysed.
    public var analysedWidth: Int
    public var analysedHeight: Int

    /// Whether the background was (re)initialised from this frame (first frame, new frame
    /// size, change of light).
    public var backgroundReinitialised: Bool { backgroundReset != nil }

    public init(
        motion: Bool, frameShowsMotion: Bool, consecutiveMotionFrames: Int, changedFraction: Double,
        changedPixels: Int, boundingBox: PixelRectangle?, meanLuma: Double, pixelThreshold: Int,
        backgroundReset: BackgroundReset?, analysedWidth: Int, analysedHeight: Int
    ) {
        self.motion = motion
        self.frameShowsMotion = frameShowsMotion
        self.consecutiveMotionFrames = consecutiveMotionFrames
        self.changedFraction = changedFraction
        self.changedPixels = changedPixels
        self.boundingBox = boundingBox
        self.meanLuma = meanLuma
        self.pixelThreshold = pixelThreshold
        self.backgroundReset = backgroundReset
        self.analysedWidth = analysedWidth
        self.analysedHeight = analysedHeight
    }
}
