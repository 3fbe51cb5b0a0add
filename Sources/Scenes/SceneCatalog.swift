#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The named scenes emulated cameras can be pointed at.
///
/// | name | what it shows |
/// |---|---|
/// | `street` (default) | a daytime street where people, cars and now and then an animal pass, about every 40 s on average; the traffic repeats hourly |
/// | `quiet` | the same street with nothing moving |
/// | `night` | starts at 22:00, under IR; someone passes about once a minute; dawn at 06:30 |
/// | `busy` | something passes every 6 s on average, often several at once |
/// | `scripted` | the fixed timetable ``scriptedScript``, for tests of event timing |
///
/// All start on 2024-06-01 (08:00 unless said otherwise) at 15 frames a second; the seed picks
/// the street and the noise and, except for `scripted`, the traffic.
public enum SceneCatalog {
    /// The catalog's scene names, default first.
    public static let names = ["street", "quiet", "night", "busy", "scripted"]
    public static let defaultName = "street"

    /// 2024-06-01 22:00:00, when the `night` scene starts.
    public static let nightStartDate: Int64 = SyntheticScene.defaultStartDate + 14 * 3600

    /// The `scripted` scene's timetable. Every object is in view for exactly its interval
    /// `[start, start + duration)` (it starts and ends inside the image) and the script does
    /// not repeat:
    ///
    /// | id | kind | in view | path (box centre) |
    /// |---|---|---|---|
    /// | 0 | person | 0:30 – 0:40 | near sidewalk, left to right, (0.10, 0.80) → (0.90, 0.80), size 0.34 |
    /// | 1 | car | 2:10 – 2:16 | near lane, right to left, (0.80, 0.72) → (0.20, 0.72), size 0.18 |
    /// | 2 | animal | 3:20 – 3:28 | near sidewalk, left to right, (0.10, 0.89) → (0.90, 0.89), size 0.12 |
    /// | 3 | person | 5:00 – 5:20 | far sidewalk, right to left, (0.95, 0.48) → (0.05, 0.48), size 0.13 |
    /// | 4 | person | 6:00 – 6:10 | near sidewalk, left to right, (0.20, 0.80) → (0.60, 0.80), size 0.34 |
    /// | 5 | car | 6:03 – 6:08 | far lane, left to right, (0.15, 0.625) → (0.85, 0.625), size 0.13 |
    public static let scriptedScript = SceneScript([
        .init(start: .seconds(30), duration: .seconds(10), kind: .person, from: (0.10, 0.80), to: (0.90, 0.80), size: 0.34),
        .init(start: .seconds(130), duration: .seconds(6), kind: .car, from: (0.80, 0.72), to: (0.20, 0.72), size: 0.18),
        .init(start: .seconds(200), duration: .seconds(8), kind: .animal, from: (0.10, 0.89), to: (0.90, 0.89), size: 0.12),
        .init(start: .seconds(300), duration: .seconds(20), kind: .person, from: (0.95, 0.48), to: (0.05, 0.48), size: 0.13),
        .init(start: .seconds(360), duration: .seconds(10), kind: .person, from: (0.20, 0.80), to: (0.60, 0.80), size: 0.34),
        .init(start: .seconds(363), duration: .seconds(5), kind: .car, from: (0.15, 0.625), to: (0.85, 0.625), size: 0.13),
    ])

    /// The catalog scene `name` made from `seed`, or nil if there is none of that name.
    public static func synthetic(named name: String, seed: UInt64) -> SyntheticScene? {
        // Random traffic over an hour, repeating hourly.
        func traffic(meanGap: Int64) -> SceneScript {
            let hour = Duration.seconds(3600)
            var script = SceneScript.random(seed: seed, duration: hour, meanGap: .seconds(meanGap))
            script.period = hour
            return script
        }
        return switch name {
        case "street": SyntheticScene(name: name, seed: seed, script: traffic(meanGap: 40))
        case "quiet": SyntheticScene(name: name, seed: seed)
        case "night": SyntheticScene(name: name, seed: seed, script: traffic(meanGap: 60), startDate: nightStartDate)
        case "busy": SyntheticScene(name: name, seed: seed, script: traffic(meanGap: 6))
        case "scripted": SyntheticScene(name: name, seed: seed, script: scriptedScript)
        default: nil
        }
    }

    /// The scene called `name`: a catalog scene, or else, if `name` is the path of a directory, a
    /// ``DirectoryScene`` replaying it (write `./street` for a directory that has a catalog
    /// scene's name). Throws ``SceneError/unknownScene(name:available:)`` listing the catalog's
    /// names otherwise, or the ``DirectoryScene`` error for an unusable directory.
    public static func scene(named name: String, seed: UInt64 = 0) throws(SceneError) -> any Scene {
        if let scene = synthetic(named: name, seed: seed) { return scene }
        guard FileManager.default.fileExists(atPath: name) else {
            throw .unknownScene(name: name, available: names)
        }
        return try DirectoryScene(path: name)
    }
}
