import ArgumentParser
import Foundation

/// `vigil-bench movies` (`Tools/bench --only movies`): what writing each frame through to the
/// movie file costs, at three frame sizes (`vigil-bench movie-flush` for each).
struct MoviesSection: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "movies",
        abstract: "Container bytes and append time per frame, flushed against libavformat's buffering, at 640x480, 320x240 and 160x120.")

    @OptionGroup var common: SectionOptions

    func measure(in workspace: Workspace) throws -> [MovieFlushBenchmark.Result] {
        try [("640x480", 75), ("320x240", 75), ("160x120", 50)].map { size, quality in
            try MovieFlushBenchmark.parse(["--size", size, "--quality", "\(quality)", "--frames", common.quick ? "100" : "300"]).measure()
        }
    }

    func table(_ runs: [MovieFlushBenchmark.Result]) -> String {
        var lines = ["", "Movies: each frame flushed through to the file (as the recorder writes) against libavformat's buffering"]
        let widths = [9, 12, 16, 14, 16, 14]
        lines.append(tableRow(["size", "JPEG B", "flushed B/frame", "flushed us", "buffered B/frame", "buffered us"], widths))
        for run in runs {
            lines.append(tableRow([
                "\(run.width)x\(run.height)", "\(run.meanJPEGBytes)", formatted(run.flushed.containerBytesPerFrame, "%.1f"),
                formatted(run.flushed.appendMicrosecondsPerFrame, "%.0f"), formatted(run.buffered.containerBytesPerFrame, "%.1f"),
                formatted(run.buffered.appendMicrosecondsPerFrame, "%.0f"),
            ], widths))
        }
        for run in runs {
            lines.append(verdict(
                "movie flushing each frame at \(run.width)x\(run.height): extra B / us a frame",
                String(format: "%.1f / %.0f", run.flushed.containerBytesPerFrame - run.buffered.containerBytesPerFrame,
                       run.flushed.appendMicrosecondsPerFrame - run.buffered.appendMicrosecondsPerFrame), target: "", met: nil))
        }
        return lines.joined(separator: "\n")
    }
}
