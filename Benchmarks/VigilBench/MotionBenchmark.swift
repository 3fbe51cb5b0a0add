import ArgumentParser
import Foundation
import HAL
import Recorder
import Scenes

/// `vigil-bench motion`: software motion detection's frame rate on one core.
struct MotionBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "motion",
        abstract: "Frames per second MotionDetector analyses on one thread.",
        discussion: """
            Renders FRAMES consecutive frames of the 'scripted' street scene (a person crossing, \
            at 15 frames a second) as JPEGs at the given size and at the quality an emulated \
            VC0706 uses by default (75), then feeds them, over and over, to one MotionDetector \
            with the default settings (decoded at 1/8 scale) for the given time, on this thread.
            """)

    @Option(help: "Frame size, WxH.")
    var size = "640x480"

    @Option(help: "How many distinct frames to cycle through.")
    var frames = 90

    @Option(help: "How long to analyse, in seconds.")
    var seconds = 5.0

    struct Result: Encodable {
        var width: Int
        var height: Int
        var distinctFrames: Int
        var meanJPEGBytes: Int
        var analysed: Int
        var seconds: Double
        var framesPerSecond: Double
        var framesShowingMotion: Int
    }

    func run() throws {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--size must be WxH, not '\(size)'") }
        guard frames > 0, seconds > 0 else { throw ValidationError("--frames and --seconds must be positive") }
        let scene = try SceneCatalog.scene(named: "scripted", seed: 1)
        // The first person is in view from 0:30 to 0:40: start a little before.
        let start = scene.frameIndex(at: MonotonicInstant(nanoseconds: 29_000_000_000))
        let jpegs = try (0..<frames).map { offset in
            try scene.frame(at: scene.frameStart(start + offset), width: parts[0], height: parts[1], quality: 75).jpeg
        }
        var detector = try MotionDetector()
        let clock = ContinuousClock()
        let began = clock.now
        let end = began.advanced(by: .milliseconds(Int64(seconds * 1000)))
        var analysed = 0
        var moving = 0
        while clock.now < end {
            for jpeg in jpegs {
                if try detector.analyse(jpeg: jpeg).frameShowsMotion { moving += 1 }
            }
            analysed += jpegs.count
        }
        let elapsed = began.duration(to: clock.now)
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        try printJSON(Result(
            width: parts[0], height: parts[1], distinctFrames: jpegs.count,
            meanJPEGBytes: jpegs.reduce(0) { $0 + $1.count } / jpegs.count, analysed: analysed,
            seconds: elapsedSeconds, framesPerSecond: Double(analysed) / elapsedSeconds, framesShowingMotion: moving))
    }
}
