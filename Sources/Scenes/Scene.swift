import HAL

/// What an emulated camera "sees": a source of frames, deterministic in its inputs.
///
/// Times are measured from the start of the scene. A scene shows a new frame every
/// `1 / frameRate` seconds; every time within one frame's interval gives that frame, byte for
/// byte. Scenes are values safe to share between tasks: rendering has no side effects.
public protocol Scene: Sendable {
    /// The scene's name, as the catalog knows it (or a directory path).
    var name: String { get }
    /// The frame the sensor shows at `time` (time since the scene started; frames change at
    /// `frameRate`), `width` by `height` pixels, encoded as a baseline JPEG at `quality` (1...100).
    func frame(at time: MonotonicInstant, width: Int, height: Int, quality: Int) throws -> SceneFrame
    /// The moving objects present at `time`, in normalised coordinates (0...1), for PIR and
    /// motion emulation.
    func objects(at time: MonotonicInstant) -> [SceneObject]
    /// Whether the scene is dark at `time` (night: IR illumination, grey image).
    func isDark(at time: MonotonicInstant) -> Bool
    /// Frames per second.
    var frameRate: Double { get }
}

extension Scene {
    /// The index of the frame shown at `time`: frame `i` covers `[i / frameRate, (i + 1) / frameRate)`
    /// seconds, its start brought forward by a microsecond so that a start time rounded down
    /// to whole nanoseconds still falls in it. Times before the start give frame 0; frame rates
    /// below 0.1 (or not finite) count as 0.1.
    public func frameIndex(at time: MonotonicInstant) -> Int {
        FrameClock(frameRate: frameRate).index(at: time)
    }

    /// When frame `index` starts, rounded to the nearest nanosecond.
    public func frameStart(_ index: Int) -> MonotonicInstant {
        FrameClock(frameRate: frameRate).start(of: index)
    }
}
