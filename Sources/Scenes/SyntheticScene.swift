import HAL
import JPEG

/// A synthetic street seen by a fixed camera, deterministic from its seed.
///
/// The seed chooses the street (sky, buildings, trees, lamps) and the sensor noise; the
/// ``SceneScript`` moves people, cars and animals across it; ``Daylight`` and the start date
/// decide when it is night, when the image turns grey, dark and noisy as under IR. Each frame
/// carries an on-screen timestamp (`YYYY-MM-DD HH:MM:SS`, the start date plus scene time) and a
/// frame counter, and is encoded as a baseline JPEG.
///
/// The same seed, settings and frame index give the same pixels at any time within the frame,
/// on any machine, and the same JPEG bytes with the same libjpeg-turbo. Nothing is cached
/// between calls; a 640x480 frame renders and encodes in about 2 ms (release build, one core).
/// Sharing a scene between tasks is safe, and they render in parallel.
public struct SyntheticScene: Scene {
    /// The largest width or height a frame may have.
    public static let maximumDimension = 4096
    /// 2024-06-01 08:00:00, the default start date.
    public static let defaultStartDate: Int64 = 1_717_228_800

    public var name: String
    /// Chooses the street's layout and the noise; fixed at creation.
    public let seed: UInt64
    public var script: SceneScript
    /// Wall-clock time at scene time zero, in seconds since 1970-01-01 00:00:00 (no time zone:
    /// this is what the timestamp shows).
    public var startDate: Int64
    public var daylight: Daylight
    public var frameRate: Double
    /// Sensor noise by day, in grey levels either side of the true value, 0...255 (night
    /// triples it).
    public var noise: Int
    /// Chrominance subsampling of the JPEGs: 4:2:2 like a VC0706.
    public var subsampling: Subsampling
    /// Whether the timestamp and frame counter are drawn.
    public var showsOverlay: Bool

    private let layout: StreetLayout
    private let codec: JPEGCodec

    public init(
        name: String = "synthetic", seed: UInt64, script: SceneScript = .empty,
        startDate: Int64 = SyntheticScene.defaultStartDate, daylight: Daylight = .standard,
        frameRate: Double = 15, noise: Int = 5, subsampling: Subsampling = .s422,
        showsOverlay: Bool = true, codec: JPEGCodec = JPEGCodec()
    ) {
        self.name = name
        self.seed = seed
        self.script = script
        self.startDate = startDate
        self.daylight = daylight
        self.frameRate = frameRate
        self.noise = max(0, noise)
        self.subsampling = subsampling
        self.showsOverlay = showsOverlay
        self.layout = StreetLayout(seed: seed)
        self.codec = codec
    }

    public func frame(at time: MonotonicInstant, width: Int, height: Int, quality: Int) throws(SceneError) -> SceneFrame {
        let index = frameIndex(at: time)
        let image = try render(index: index, width: width, height: height)
        do {
            return SceneFrame(
                index: index, time: frameStart(index),
                jpeg: try codec.encode(image, quality: quality, subsampling: subsampling))
        } catch {
            throw .codec(error)
        }
    }

    /// The uncompressed RGB frame shown at `time`, before JPEG encoding.
    public func image(at time: MonotonicInstant, width: Int, height: Int) throws(SceneError) -> Image {
        try render(index: frameIndex(at: time), width: width, height: height)
    }

    /// The objects in view at exactly `time` (not rounded to the frame), see ``SceneScript/objects(at:)``.
    public func objects(at time: MonotonicInstant) -> [SceneObject] {
        script.objects(at: time)
    }

    /// Whether the frame shown at `time` is a night (IR) frame.
    public func isDark(at time: MonotonicInstant) -> Bool {
        daylight.isDark(secondOfDay: civilTime(at: frameStart(frameIndex(at: time))).secondOfDay)
    }

    /// The civil date and time at scene time `time`, whole seconds.
    func civilTime(at time: MonotonicInstant) -> CivilTime {
        CivilTime(secondsSince1970: startDate.addingReportingOverflow(time.nanoseconds / 1_000_000_000).partialValue)
    }

    private func render(index: Int, width: Int, height: Int) throws(SceneError) -> Image {
        let limit = 1...Self.maximumDimension
        guard limit.contains(width), limit.contains(height) else {
            throw .invalidFrameSize(width: width, height: height)
        }
        let time = frameStart(index)
        let clock = civilTime(at: time)
        let lighting: Lighting =
            daylight.isDark(secondOfDay: clock.secondOfDay)
            ? .night : .day(brightness: daylight.brightness(secondOfDay: clock.secondOfDay))
        let count = width * height * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            let canvas = Canvas(pixels: base, width: width, height: height, lighting: lighting)
            layout.draw(on: canvas)
            let placements = script.placements(at: time).sorted { $0.box.y + $0.box.height < $1.box.y + $1.box.height }
            for placement in placements { Sprite.draw(placement, seed: seed, on: canvas) }
            let amplitude = min(max(noise, 0), 255)
            SensorNoise(seed: seed, frame: index, amplitude: lighting.isNight ? amplitude * 3 : amplitude)
                .apply(to: canvas, infrared: lighting.isNight)
            if showsOverlay { drawOverlay(on: canvas, clock: clock, index: index) }
            initialized = count
        }
        do {
            return try Image(width: width, height: height, format: .rgb, pixels: pixels)
        } catch {
            throw .codec(error)
        }
    }

    /// The timestamp, and under it the frame counter, at the top left.
    private func drawOverlay(on canvas: Canvas, clock: CivilTime, index: Int) {
        let scale = max(1, canvas.height / 240)
        let margin = 3 * scale
        let counter = String(index)
        BitmapFont.draw(clock.timestamp, on: canvas, x: margin, y: margin, scale: scale)
        BitmapFont.draw(
            "FRAME " + String(repeating: "0", count: max(0, 6 - counter.count)) + counter, on: canvas,
            x: margin, y: margin + (BitmapFont.glyphHeight + 3) * scale, scale: scale)
    }
}
