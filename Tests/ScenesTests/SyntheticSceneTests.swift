import HAL
import JPEG
import TestSupport
import Testing

@testable import Scenes

@Suite struct SyntheticSceneTests {
    static let sizes = [(160, 120), (320, 240), (640, 480)]

    @Test(arguments: ["street", "night", "busy"], sizes)
    func everyFrameDecodesAtTheAskedSize(name: String, size: (Int, Int)) throws {
        let scene = try SceneCatalog.scene(named: name, seed: 11)
        for second in [0.0, 17.3, 95.05] {
            let frame = try scene.frame(at: at(second), width: size.0, height: size.1, quality: 75)
            #expect(JPEG.isComplete(frame.jpeg))
            #expect(try codec.info(frame.jpeg) == JPEGInfo(width: size.0, height: size.1, subsampling: .s422))
            let image = try codec.decode(frame.jpeg)
            #expect(image.width == size.0 && image.height == size.1)
        }
    }

    @Test(.enabled(if: Djpeg.isAvailable, Comment(rawValue: Djpeg.missing)), arguments: sizes)
    func djpegDecodesEveryFrameSize(size: (Int, Int)) throws {
        for name in ["street", "night"] {
            let frame = try SceneCatalog.scene(named: name, seed: 5).frame(at: at(42), width: size.0, height: size.1, quality: 75)
            let result = try Djpeg.decode(frame.jpeg)
            #expect(result.status == 0, "djpeg: \(result.stderr)")
            #expect(result.stderr.isEmpty, "djpeg warned: \(result.stderr)")
            #expect(result.width == size.0 && result.height == size.1)
        }
    }

    @Test func theSameSeedAndTimeGiveTheSameBytesAndOtherSeedsDiffer() throws {
        let first = try SceneCatalog.scene(named: "busy", seed: 99)
        let second = try SceneCatalog.scene(named: "busy", seed: 99)
        let other = try SceneCatalog.scene(named: "busy", seed: 100)
        for seconds in [0.0, 12.5, 600] {
            let a = try first.frame(at: at(seconds), width: 320, height: 240, quality: 70)
            let b = try second.frame(at: at(seconds), width: 320, height: 240, quality: 70)
            let c = try other.frame(at: at(seconds), width: 320, height: 240, quality: 70)
            #expect(a == b)
            #expect(a.jpeg != c.jpeg)
            #expect(first.objects(at: at(seconds)) == second.objects(at: at(seconds)))
        }
        // The street itself differs between seeds, not only the noise.
        let quiet = [SyntheticScene(seed: 1, noise: 0), SyntheticScene(seed: 2, noise: 0)]
        let images = try quiet.map { try $0.image(at: .zero, width: 160, height: 120) }
        let differing = zip(images[0].pixels, images[1].pixels).filter { $0 != $1 }.count
        #expect(differing > images[0].pixels.count / 10)
    }

    @Test func framesChangeOnlyAtFrameBoundaries() throws {
        let scene = SyntheticScene(seed: 3, frameRate: 10)
        let frame = try scene.frame(at: at(2.0), width: 160, height: 120, quality: 75)
        #expect(frame.index == 20)
        #expect(frame.time == at(2.0))
        for inside in [2.0, 2.03, 2.0999] {
            #expect(try scene.frame(at: at(inside), width: 160, height: 120, quality: 75) == frame)
        }
        let next = try scene.frame(at: at(2.1), width: 160, height: 120, quality: 75)
        #expect(next.index == 21)
        #expect(next.jpeg != frame.jpeg)
        let previous = try scene.frame(at: at(1.9999), width: 160, height: 120, quality: 75)
        #expect(previous.index == 19)
        #expect(previous.jpeg != frame.jpeg)

        // A frame's start, even rounded down to the nanosecond, gives that frame.
        let fifteen = SyntheticScene(seed: 3, frameRate: 15)
        for index in [1, 2, 7, 1000, 123_457] {
            let start = fifteen.frameStart(index)
            #expect(fifteen.frameIndex(at: start) == index)
            #expect(fifteen.frameIndex(at: MonotonicInstant(nanoseconds: Int64(Double(index) / 15 * 1e9))) == index)
            #expect(fifteen.frameIndex(at: start.advanced(by: .microseconds(-2))) == index - 1)
        }
        #expect(fifteen.frameIndex(at: MonotonicInstant(nanoseconds: -5)) == 0)
    }

    @Test func objectsFollowTheScript() throws {
        let scene = try #require(SceneCatalog.synthetic(named: "scripted", seed: 1))
        #expect(scene.objects(at: at(29.999)).isEmpty)
        #expect(scene.objects(at: at(40)).isEmpty)
        for (second, centerX) in [(30.0, 0.10), (35.0, 0.50), (39.999, 0.8999)] {
            let objects = scene.objects(at: at(second))
            let person = try #require(objects.first)
            #expect(objects.count == 1)
            #expect(person.id == 0 && person.kind == "person")
            #expect(abs(person.center.x - centerX) < 0.001, "at \(second)s the person is at \(person.center.x)")
            #expect(abs(person.center.y - 0.80) < 1e-9)
            #expect(abs(person.height - 0.34) < 1e-9)
        }
        // The car drives right to left from 2:10 to 2:16.
        let car = try #require(scene.objects(at: at(133)).first)
        #expect(car.kind == "car" && car.id == 1 && abs(car.center.x - 0.5) < 1e-6)
        #expect(scene.objects(at: at(129.9)).isEmpty && scene.objects(at: at(136)).isEmpty)
        // Two objects at once.
        #expect(Set(scene.objects(at: at(365)).map(\.kind)) == ["person", "car"])
        // Every box stays inside the image.
        for tenth in stride(from: 0, to: 4000, by: 3) {
            for object in scene.objects(at: at(Double(tenth) / 10)) {
                #expect(object.x >= 0 && object.y >= 0 && object.x + object.width <= 1 && object.y + object.height <= 1)
            }
        }
    }

    @Test func objectsAreDrawnWhereTheScriptPutsThem() throws {
        // A quiet frame and the same frame with the scripted person: they differ inside the
        // person's box and nowhere else.
        let empty = SyntheticScene(seed: 8, noise: 0, showsOverlay: false)
        var scripted = empty
        scripted.script = SceneCatalog.scriptedScript
        let (width, height) = (320, 240)
        let a = try empty.image(at: at(35), width: width, height: height)
        let b = try scripted.image(at: at(35), width: width, height: height)
        let person = try #require(scripted.objects(at: at(35)).first)
        var inside = 0
        var outside = 0
        for y in 0..<height {
            for x in 0..<width where a.pixels[(y * width + x) * 3] != b.pixels[(y * width + x) * 3] {
                let nx = (Double(x) + 0.5) / Double(width)
                let ny = (Double(y) + 0.5) / Double(height)
                let within = nx >= person.x - 0.01 && nx <= person.x + person.width + 0.01
                    && ny >= person.y - 0.01 && ny <= person.y + person.height + 0.01
                if within { inside += 1 } else { outside += 1 }
            }
        }
        #expect(inside > Int(person.area * Double(width * height) * 0.3))
        #expect(outside == 0)
    }

    @Test func nightFramesAreGreyAndDarker() throws {
        let night = try #require(SceneCatalog.synthetic(named: "night", seed: 4))
        let day = try #require(SceneCatalog.synthetic(named: "street", seed: 4))
        #expect(night.isDark(at: at(10)))
        #expect(!day.isDark(at: at(10)))
        let nightImage = try codec.decode(try night.frame(at: at(10), width: 320, height: 240, quality: 75).jpeg)
        let dayImage = try codec.decode(try day.frame(at: at(10), width: 320, height: 240, quality: 75).jpeg)
        let nightStats = statistics(nightImage)
        let dayStats = statistics(dayImage)
        #expect(nightStats.maxChannelSpread <= 6, "R, G and B differ by up to \(nightStats.maxChannelSpread) at night")
        #expect(nightStats.meanChannelSpread < 1)
        #expect(dayStats.meanChannelSpread > 10)
        #expect(nightStats.meanLuma < dayStats.meanLuma * 0.6, "night \(nightStats.meanLuma), day \(dayStats.meanLuma)")
        // Dawn comes at 06:30, eight and a half hours after the night scene starts.
        #expect(night.isDark(at: at(8.5 * 3600 - 1)))
        #expect(!night.isDark(at: at(8.5 * 3600)))
    }

    @Test func dawnAndDuskAreDimmerThanNoon() throws {
        let daylight = Daylight.standard
        #expect(daylight.brightness(secondOfDay: 12 * 3600) == 1)
        #expect(daylight.brightness(secondOfDay: 6 * 3600 + 1800) == 0.55)
        #expect(daylight.brightness(secondOfDay: 19 * 3600 + 1799) < 0.6)
        #expect(daylight.isDark(secondOfDay: 19 * 3600 + 1800))
        #expect(!Daylight.alwaysDay.isDark(secondOfDay: 0) && !Daylight.alwaysDay.isDark(secondOfDay: 86_399))
        #expect(Daylight.alwaysNight.isDark(secondOfDay: 43_200))
        let noon = SyntheticScene(seed: 2, startDate: SyntheticScene.defaultStartDate + 4 * 3600, noise: 0)
        let dusk = SyntheticScene(seed: 2, startDate: SyntheticScene.defaultStartDate + 11 * 3600 + 1790, noise: 0)
        let noonLuma = statistics(try noon.image(at: .zero, width: 160, height: 120)).meanLuma
        let duskLuma = statistics(try dusk.image(at: .zero, width: 160, height: 120)).meanLuma
        #expect(duskLuma < noonLuma * 0.7)
    }

    @Test func theTimestampChangesTheImageBetweenSeconds() throws {
        let scene = SyntheticScene(seed: 6, frameRate: 10, noise: 0)
        let width = 320
        // The rows of the timestamp's line (scale 1 at 240 rows: 3...10).
        func timestampBand(_ second: Double) throws -> ArraySlice<UInt8> {
            try scene.image(at: at(second), width: width, height: 240).pixels[(3 * width * 3)..<(11 * width * 3)]
        }
        #expect(try timestampBand(0.1) == timestampBand(0.2))
        #expect(try timestampBand(0.9) != timestampBand(1.0))
        #expect(try timestampBand(59.9) != timestampBand(60.0))
        // The frame counter changes every frame; without the overlay, a quiet scene without
        // noise is the same every frame.
        #expect(try scene.image(at: at(0.1), width: 160, height: 120) != scene.image(at: at(0.2), width: 160, height: 120))
        var plain = scene
        plain.showsOverlay = false
        #expect(try plain.image(at: at(0.1), width: 160, height: 120) == plain.image(at: at(5.2), width: 160, height: 120))
    }

    @Test func wallClockTimestamps() {
        #expect(CivilTime(secondsSince1970: 0).timestamp == "1970-01-01 00:00:00")
        #expect(CivilTime(secondsSince1970: SyntheticScene.defaultStartDate).timestamp == "2024-06-01 08:00:00")
        #expect(CivilTime(secondsSince1970: SceneCatalog.nightStartDate).timestamp == "2024-06-01 22:00:00")
        #expect(CivilTime(secondsSince1970: 1_709_251_199).timestamp == "2024-02-29 23:59:59")
        #expect(CivilTime(secondsSince1970: 951_782_400).timestamp == "2000-02-29 00:00:00")
        #expect(CivilTime(secondsSince1970: 4_102_444_800).timestamp == "2100-01-01 00:00:00")
        #expect(CivilTime(secondsSince1970: -1).timestamp == "1969-12-31 23:59:59")
        for days: Int64 in [-800, 0, 11_016, 19_875, 47_482] {
            let (year, month, day) = CivilTime.civil(fromDays: days)
            #expect(CivilTime.days(year: year, month: month, day: day) == days)
        }
        let scene = SyntheticScene(seed: 0)
        #expect(scene.civilTime(at: at(3661.5)).timestamp == "2024-06-01 09:01:01")
    }

    @Test func frameSizesAreRealisticForAVC0706() throws {
        var sizes: [String: Int] = [:]
        for name in ["street", "busy", "night", "quiet"] {
            let scene = try SceneCatalog.scene(named: name, seed: 21)
            let lengths = try stride(from: 0.0, to: 120, by: 10).map {
                try scene.frame(at: at($0), width: 640, height: 480, quality: 75).jpeg.count
            }
            sizes[name] = lengths.reduce(0, +) / lengths.count
            #expect(lengths.allSatisfy { (20_000...80_000).contains($0) }, "\(name): \(lengths)")
        }
        print("mean 640x480 frame at quality 75, bytes: \(sizes.sorted { $0.key < $1.key })")
    }

    @Test func invalidRequestsAreTypedErrors() throws {
        let scene = SyntheticScene(seed: 1)
        #expect(throws: SceneError.invalidFrameSize(width: 0, height: 120)) {
            try scene.frame(at: .zero, width: 0, height: 120, quality: 75)
        }
        #expect(throws: SceneError.invalidFrameSize(width: 100_000, height: 120)) {
            try scene.frame(at: .zero, width: 100_000, height: 120, quality: 75)
        }
        let error = #expect(throws: SceneError.self) { try scene.frame(at: .zero, width: 160, height: 120, quality: 0) }
        if case .codec(let codecError)? = error {
            #expect(codecError.call == "JPEGCodec.encode")
        } else {
            Issue.record("expected a codec error, got \(String(describing: error))")
        }
    }

    @Test func extremeValuesDoNotCrash() throws {
        let nonsense = SceneScript.Appearance(
            start: .zero, duration: .seconds(10), kind: .car, from: (.nan, 0.5), to: (.infinity, 0.5), size: 1e300)
        var scene = SyntheticScene(seed: .max, script: SceneScript([nonsense], repeatingEvery: .seconds(60)), startDate: .max, frameRate: .nan, noise: .max)
        scene.script.period = .zero
        for time in [MonotonicInstant.zero, at(5), .distantFuture, MonotonicInstant(nanoseconds: .min)] {
            let frame = try scene.frame(at: time, width: 64, height: 48, quality: 50)
            #expect(JPEG.isComplete(frame.jpeg))
            _ = scene.objects(at: time)
            _ = scene.isDark(at: time)
        }
        #expect(scene.frameStart(.max) == MonotonicInstant(nanoseconds: 9_000_000_000_000_000_000))
    }

    @Test func oddSizesRender() throws {
        let scene = try SceneCatalog.scene(named: "busy", seed: 2)
        for (width, height) in [(1, 1), (17, 9), (99, 77), (800, 600)] {
            let frame = try scene.frame(at: at(33), width: width, height: height, quality: 60)
            #expect(try codec.info(frame.jpeg).width == width)
        }
    }
}
