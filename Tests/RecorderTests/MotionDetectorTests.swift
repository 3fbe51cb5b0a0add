import Foundation
import HAL
import JPEG
import Scenes
import Testing

@testable import Recorder

/// Scenes are rendered at 160x120 and analysed at 1/2 scale (80x60, as a 640x480 frame at the
/// default 1/8): a debug build renders a small frame in a few milliseconds.
@Suite struct MotionDetectorTests {
    static let width = 160
    static let height = 120
    let codec = JPEGCodec()

    /// Settings for 160x120 frames: the default analysis size.
    static var settings: MotionDetectorSettings {
        var settings = MotionDetectorSettings()
        settings.decodeScale = .half
        return settings
    }

    /// The scene `name` without its timestamp overlay, which changes every frame.
    static func scene(_ name: String, seed: UInt64 = 7) throws -> SyntheticScene {
        var scene = try #require(SceneCatalog.synthetic(named: name, seed: seed))
        scene.showsOverlay = false
        return scene
    }

    /// A frame checked by decoding it through the detector's decoder (as a camera driver's
    /// validator does in a node) is not decoded again for analysis.
    @Test func aFrameIsDecodedOnceForTheCheckAndTheAnalysis() throws {
        var detector = try MotionDetector(settings: Self.settings, codec: codec)
        let scene = try Self.scene("quiet")
        for index in 0..<3 {
            let frame = try scene.frame(at: scene.frameStart(index), width: Self.width, height: Self.height, quality: 75)
            _ = try detector.decoder.decode(frame.jpeg)  // the driver's check
            _ = try detector.analyse(jpeg: frame.jpeg)
            #expect(detector.decoder.decodeCount == index + 1)
        }
        let other = detector.forAnotherCamera()
        #expect(other.decoder !== detector.decoder)
        #expect(other.decoder.decodeCount == 0)
    }

    /// The analyses of `scene`'s frames from `start` to `end` seconds, every `step`-th frame.
    func analyse(
        _ scene: SyntheticScene, from start: Double, to end: Double, step: Int = 1,
        settings: MotionDetectorSettings = settings
    ) throws -> [(time: Double, analysis: MotionAnalysis)] {
        var detector = try MotionDetector(settings: settings, codec: codec)
        var results: [(Double, MotionAnalysis)] = []
        var index = scene.frameIndex(at: instant(start))
        while scene.frameStart(index).seconds < end {
            let frame = try scene.frame(at: scene.frameStart(index), width: Self.width, height: Self.height, quality: 75)
            results.append((frame.time.seconds, try detector.analyse(jpeg: frame.jpeg)))
            index += step
        }
        return results
    }

    func instant(_ seconds: Double) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64((seconds * 1e9).rounded()))
    }

    @Test(arguments: ["quiet", "night"])
    func aQuietSceneShowsNoMotionDespiteSensorNoise(name: String) throws {
        var scene = try Self.scene(name)
        scene.script = .empty
        scene.noise = 12  // more than the catalog's; tripled at night
        let results = try analyse(scene, from: 0, to: 5)
        #expect(results.first?.analysis.backgroundReset == .firstFrame)
        #expect(results.count == 75)
        let moving = results.filter { $0.analysis.motion || $0.analysis.frameShowsMotion }
        #expect(moving.isEmpty, "motion in a still scene at \(moving.map(\.time))")
        let largest = results.map(\.analysis.changedFraction).max() ?? 1
        #expect(largest < Self.settings.minimumChangedFraction / 2)
    }

    /// The `scripted` scene's person (30–40 s) and car (2:10–2:16) on the near side: motion is
    /// reported from the first frame each is in view until they have gone, and not outside.
    @Test(arguments: [(30.0, 40.0), (130.0, 136.0)])
    func aScriptedPassIsReportedOnTheFramesItIsInView(window: (start: Double, end: Double)) throws {
        let scene = try Self.scene("scripted")
        let results = try analyse(scene, from: window.start - 2, to: window.end + 2, step: 3)
        let inView = results.filter { $0.time >= window.start && $0.time < window.end }
        let outside = results.filter { $0.time < window.start || $0.time >= window.end }
        #expect(!inView.isEmpty && outside.count > 10)
        #expect(outside.allSatisfy { !$0.analysis.motion }, "motion outside the pass at \(outside.filter(\.analysis.motion).map(\.time))")
        #expect(inView.allSatisfy { $0.analysis.motion }, "no motion during the pass at \(inView.filter { !$0.analysis.motion }.map(\.time))")
        // The change is where the object is.
        for (time, analysis) in inView {
            let box = try #require(analysis.boundingBox)
            let object = try #require(scene.objects(at: instant(time)).first)
            let objectBox = PixelRectangle(
                x: Int(object.x * Double(Self.width)), y: Int(object.y * Double(Self.height)),
                width: Int((object.width * Double(Self.width)).rounded(.up)),
                height: Int((object.height * Double(Self.height)).rounded(.up)))
            #expect(
                box.overlaps(left: objectBox.x, top: objectBox.y, right: objectBox.x + objectBox.width, bottom: objectBox.y + objectBox.height),
                "at \(time) s the change \(box) misses the object at \(objectBox)")
        }
    }

    @Test func aMaskOverTheMovingRegionSuppressesIt() throws {
        let scene = try Self.scene("scripted")
        // The person walks along the near sidewalk: its box spans rows 0.63...0.97.
        var masked = Self.settings
        masked.masks = [PixelRectangle(x: 0, y: 72, width: Self.width, height: Self.height - 72)]
        let results = try analyse(scene, from: 29, to: 41, step: 3, settings: masked)
        #expect(results.allSatisfy { !$0.analysis.motion && $0.analysis.changedPixels == 0 })

        // A mask elsewhere (the sky) leaves it seen.
        var elsewhere = Self.settings
        elsewhere.masks = [PixelRectangle(x: 0, y: 0, width: Self.width, height: 50)]
        let seen = try analyse(scene, from: 29, to: 41, step: 3, settings: elsewhere)
        #expect(seen.filter(\.analysis.motion).count > 20)
    }

    /// A drawn rectangle on a flat frame: the change's bounding box covers it, to within one
    /// reduced-scale pixel (8 full-frame pixels at 1/8), and a mask over it hides it.
    @Test func theBoundingBoxIsInFullFrameCoordinates() throws {
        let flat = try Image(width: 320, height: 240, format: .gray, filledWith: 90)
        var marked = flat
        let drawn = PixelRectangle(x: 100, y: 60, width: 40, height: 48)
        for y in drawn.y..<(drawn.y + drawn.height) {
            for x in drawn.x..<(drawn.x + drawn.width) { marked.pixels[y * 320 + x] = 230 }
        }
        let frames = try [flat, marked].map { try codec.encode($0, quality: 90) }

        var detector = try MotionDetector(codec: codec)
        #expect(try detector.analyse(jpeg: frames[0]).backgroundReset == .firstFrame)
        let analysis = try detector.analyse(jpeg: frames[1])
        #expect(analysis.motion && analysis.analysedWidth == 40 && analysis.analysedHeight == 30)
        let box = try #require(analysis.boundingBox)
        #expect(box.x <= drawn.x && box.x > drawn.x - 8)
        #expect(box.y <= drawn.y && box.y > drawn.y - 8)
        #expect(box.x + box.width >= drawn.x + drawn.width && box.x + box.width < drawn.x + drawn.width + 8)
        #expect(box.y + box.height >= drawn.y + drawn.height && box.y + box.height < drawn.y + drawn.height + 8)
        #expect(analysis.changedPixels == (box.width / 8) * (box.height / 8))

        var settings = MotionDetectorSettings()
        settings.masks = [PixelRectangle(x: 96, y: 56, width: 48, height: 56)]
        var maskedDetector = try MotionDetector(settings: settings, codec: codec)
        _ = try maskedDetector.analyse(jpeg: frames[0])
        let hidden = try maskedDetector.analyse(jpeg: frames[1])
        #expect(!hidden.motion && hidden.changedPixels == 0 && hidden.boundingBox == nil)
    }

    /// Frames of the quiet street by day with their brightness scaled by `gain` from frame 10 on.
    /// (The sensor noise repeats every 8 frames, to render fewer.)
    func lightsChange(to gain: Double, frames: Int, settings: MotionDetectorSettings) throws -> [MotionAnalysis] {
        let scene = try Self.scene("quiet")
        let images = try (0..<8).map { try scene.image(at: scene.frameStart($0), width: Self.width, height: Self.height) }
        let before = try images.map { try codec.encode($0, quality: 75) }
        let after = try images.map { image in
            var changed = image
            changed.pixels = image.pixels.map { UInt8(clamping: Int((Double($0) * gain).rounded())) }
            return try codec.encode(changed, quality: 75)
        }
        var detector = try MotionDetector(settings: settings, codec: codec)
        return try (0..<frames).map { index in
            try detector.analyse(jpeg: (index < 10 ? before : after)[index % 8])
        }
    }

    @Test(arguments: [0.93, 0.8, 1.2])
    func aChangeOfLightIsNotMotion(gain: Double) throws {
        let results = try lightsChange(to: gain, frames: 30, settings: Self.settings)
        #expect(results.allSatisfy { !$0.motion }, "\(results.map(\.changedFraction))")
        #expect(abs(results[12].meanLuma / results[8].meanLuma - gain) < 0.05)
    }

    @Test func lightsChangingAreCompensatedOrTakenForALightSwitch() throws {
        // A small change is compensated: nothing changes.
        let small = try lightsChange(to: 0.93, frames: 14, settings: Self.settings)
        #expect(small.allSatisfy { $0.changedPixels == 0 && $0.backgroundReset != .lightSwitch })

        // Without compensation, the light switch catches a large change at once.
        var switching = Self.settings
        switching.brightnessCompensation = false
        let switched = try lightsChange(to: 0.5, frames: 30, settings: switching)
        #expect(switched[10].backgroundReset == .lightSwitch)
        #expect(switched.allSatisfy { !$0.motion })
    }

    /// With neither compensation nor the light switch, a change of light shows as motion, but
    /// the background absorbs it within a bounded number of frames rather than forever.
    @Test func anUncompensatedChangeOfLightAdaptsAway() throws {
        var settings = Self.settings
        settings.brightnessCompensation = false
        settings.lightSwitchFraction = nil
        let results = try lightsChange(to: 0.8, frames: 260, settings: settings)
        #expect(results[10].motion)
        let lastMotion = try #require(results.lastIndex { $0.motion })
        #expect(lastMotion < 250, "still motion \(lastMotion - 10) frames after the change")
        #expect(results[(lastMotion + 1)...].allSatisfy { !$0.motion })
    }

    @Test func meanLumaIsLowAtNightAndHighByDay() throws {
        let day = try Self.scene("quiet")
        let night = try Self.scene("night")
        for (scene, range) in [(day, 100.0...200.0), (night, 0.0...70.0)] {
            let frame = try scene.frame(at: .zero, width: Self.width, height: Self.height, quality: 75)
            var detector = try MotionDetector(settings: Self.settings, codec: codec)
            let luma = try detector.analyse(jpeg: frame.jpeg).meanLuma
            #expect(range.contains(luma), "\(scene.name): mean luma \(luma)")
            // It is the frame's own mean, measured at full size.
            let full = try codec.decode(frame.jpeg, format: .gray)
            let fullMean = Double(full.pixels.reduce(0) { $0 + Int($1) }) / Double(full.pixels.count)
            #expect(abs(luma - fullMean) < 2)
        }
    }

    @Test func minimumMotionFramesDelaysTheReport() throws {
        var settings = Self.settings
        settings.minimumMotionFrames = 3
        let results = try analyse(try Self.scene("scripted"), from: 29.8, to: 30.4, settings: settings)
        let firstShowing = try #require(results.firstIndex { $0.analysis.frameShowsMotion })
        #expect(results[firstShowing].time >= 30)
        #expect(!results[firstShowing].analysis.motion && !results[firstShowing + 1].analysis.motion)
        #expect(results[firstShowing + 2].analysis.motion)
        #expect(results[firstShowing + 2].analysis.consecutiveMotionFrames == 3)
    }

    @Test func automaticNoiseRaisesTheThresholdInANoisyScene() throws {
        // Full-scale analysis of a very noisy sensor: the noise itself crosses the floor.
        let scene = SyntheticScene(seed: 4, daylight: .alwaysDay, noise: 20, showsOverlay: false)
        func run(automatic: Bool) throws -> [MotionAnalysis] {
            var settings = MotionDetectorSettings()
            settings.decodeScale = .one
            settings.automaticNoise = automatic
            var detector = try MotionDetector(settings: settings, codec: codec)
            return try (0..<40).map { index in
                try detector.analyse(jpeg: scene.frame(at: scene.frameStart(index), width: 80, height: 60, quality: 75).jpeg)
            }
        }
        let fixed = try run(automatic: false)
        #expect(fixed.filter(\.motion).count > 20)
        let tuned = try run(automatic: true)
        #expect(tuned.allSatisfy { !$0.motion })
        #expect(tuned[1...].allSatisfy { $0.pixelThreshold > 20 })
    }

    @Test func aFrameOfAnotherSizeRestartsTheBackground() throws {
        let scene = try Self.scene("quiet")
        var detector = try MotionDetector(settings: Self.settings, codec: codec)
        let small = try scene.frame(at: .zero, width: 160, height: 120, quality: 75).jpeg
        let large = try scene.frame(at: .zero, width: 320, height: 240, quality: 75).jpeg
        #expect(try detector.analyse(jpeg: small).backgroundReset == .firstFrame)
        #expect(try detector.analyse(jpeg: small).backgroundReset == nil)
        let resized = try detector.analyse(jpeg: large)
        #expect(resized.backgroundReset == .frameSizeChanged && !resized.motion)
        #expect(resized.analysedWidth == 160 && resized.analysedHeight == 120)
        detector.reset()
        #expect(try detector.analyse(jpeg: large).backgroundReset == .firstFrame)
    }

    @Test func aCorruptFrameIsATypedErrorAndChangesNothing() throws {
        let scene = try Self.scene("scripted")
        let frames = try [29.9, 30.0, 30.1].map {
            try scene.frame(at: instant($0), width: Self.width, height: Self.height, quality: 75).jpeg
        }
        var detector = try MotionDetector(settings: Self.settings, codec: codec)
        var reference = detector
        _ = try detector.analyse(jpeg: frames[0])
        _ = try reference.analyse(jpeg: frames[0])
        _ = try detector.analyse(jpeg: frames[1])
        _ = try reference.analyse(jpeg: frames[1])

        let garbage: [[UInt8]] = [
            [], Array("not a jpeg".utf8), Array(frames[2].prefix(frames[2].count / 2)),
            JPEG.startOfImage + [UInt8](repeating: 0x55, count: 500) + JPEG.endOfImage,
        ]
        for bytes in garbage {
            #expect {
                try detector.analyse(jpeg: bytes)
            } throws: { error in
                guard case .decode(let jpegError) = error as? MotionDetectorError else { return false }
                return !jpegError.call.isEmpty
            }
        }
        #expect(try detector.analyse(jpeg: frames[2]) == reference.analyse(jpeg: frames[2]))
    }

    @Test func settingsDecodeWithDefaultsAndAreValidated() throws {
        let json = Data(#"{"decodeScale": "1/4", "pixelThreshold": 20, "masks": [{"x": 1, "y": 2, "width": 3, "height": 4}], "lightSwitchFraction": null}"#.utf8)
        let decoded = try JSONDecoder().decode(MotionDetectorSettings.self, from: json)
        var expected = MotionDetectorSettings()
        expected.decodeScale = .quarter
        expected.pixelThreshold = 20
        expected.masks = [PixelRectangle(x: 1, y: 2, width: 3, height: 4)]
        expected.lightSwitchFraction = nil
        #expect(decoded == expected)
        let roundTrip = try JSONDecoder().decode(MotionDetectorSettings.self, from: JSONEncoder().encode(expected))
        #expect(roundTrip == expected)
        #expect(try JSONDecoder().decode(MotionDetectorSettings.self, from: Data("{}".utf8)) == MotionDetectorSettings())
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(MotionDetectorSettings.self, from: Data(#"{"decodeScale": "eighth"}"#.utf8))
        }

        let invalid: [(String, (inout MotionDetectorSettings) -> Void)] = [
            ("decodeScale", { $0.decodeScale = ScalingFactor(1, 3)! }),
            ("pixelThreshold", { $0.pixelThreshold = 256 }),
            ("minimumChangedFraction", { $0.minimumChangedFraction = -0.1 }),
            ("minimumChangedNeighbours", { $0.minimumChangedNeighbours = 9 }),
            ("adaptationRate", { $0.adaptationRate = 1.5 }),
            ("motionAdaptationRate", { $0.motionAdaptationRate = 0.2 }),
            ("lightSwitchFraction", { $0.lightSwitchFraction = 2 }),
            ("masks[1]", { $0.masks = [PixelRectangle(x: 0, y: 0, width: 1, height: 1), PixelRectangle(x: 0, y: 0, width: 0, height: 5)] }),
            ("minimumMotionFrames", { $0.minimumMotionFrames = 0 }),
        ]
        for (name, change) in invalid {
            var settings = MotionDetectorSettings()
            change(&settings)
            #expect {
                try MotionDetector(settings: settings)
            } throws: { error in
                guard case .invalidSettings(let setting, _) = error as? MotionDetectorError else { return false }
                return setting == name
            }
        }
    }
}
