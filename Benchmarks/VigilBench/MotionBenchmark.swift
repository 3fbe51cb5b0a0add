import ArgumentParser
import Foundation
import HAL
import Recorder
import Scenes

/// `vigil-bench motion`: software motion detection's frame rate on one core.
struct MotionBenchmark: BenchSection {
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

    @Option(help: "How long to analyse, in seconds; default 5, 2 with --quick.")
    var seconds: Double?

    @OptionGroup var common: SectionOptions

    /// Tools/bench's target: frames a second at 640x480 on one core.
    static let target = 300.0

    struct Figures: Codable {
        var width: Int
        var height: Int
        var distinctFrames: Int
        var meanJPEGBytes: Int
        var analysed: Int
        var seconds: Double
        var framesPerSecond: Double
        var framesShowingMotion: Int
    }

    func measure(in workspace: Workspace) throws -> Figures {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--size must be WxH, not '\(size)'") }
        let seconds = seconds ?? (common.quick ? 2 : 5)
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
        return Figures(
            width: parts[0], height: parts[1], distinctFrames: jpegs.count,
            meanJPEGBytes: jpegs.reduce(0) { $0 + $1.count } / jpegs.count, analysed: analysed,
            seconds: elapsedSeconds, framesPerSecond: Double(analysed) / elapsedSeconds, framesShowingMotion: moving)
    }

    func table(_ figures: Figures) -> String {
        """

        Software motion detection (MotionDetector, default settings), one thread, \(figures.width)x\(figures.height) JPEGs of \(figures.meanJPEGBytes) B
        \(verdict("motion detection, frames/s at \(figures.width)x\(figures.height), one core", String(format: "%.0f", figures.framesPerSecond), target: ">= \(Int(Self.target))", met: figures.framesPerSecond >= Self.target))
        """
    }
}
