import ArgumentParser
import Foundation

/// `vigil-bench gpio` (`Tools/bench --only gpio`): edge-to-delivery latency on the virtual board
/// (QEMU guest with gpio-sim, Tools/virtual-board) and on the simulated board
/// (`vigil-bench gpio-latency` in each).
struct GPIOSection: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "gpio",
        abstract: "GPIO edge timestamp to our event: on the virtual board (QEMU, gpio-sim) and on the simulated board.")

    @OptionGroup var common: SectionOptions

    @Flag(help: "Measure on the simulated board only.")
    var noVirtualBoard = false

    struct Figures: Codable {
        var simulated: GPIOLatencyBenchmark.Result
        var virtualBoard: GPIOLatencyBenchmark.Result?
        var virtualBoardSkipped: String?
    }

    func measure(in workspace: Workspace) async throws -> Figures {
        let bench = workspace.binaries + "/vigil-bench"
        let simulated = try workspace.runJSON(
            GPIOLatencyBenchmark.Result.self, bench, ["gpio-latency", "--backend", "sim", "--count", common.quick ? "100" : "500"],
            name: "gpio-sim", timeout: .seconds(120))
        var figures = Figures(simulated: simulated)
        if noVirtualBoard {
            figures.virtualBoardSkipped = "--no-virtual-board"
        } else if !Self.onPath("qemu-system-x86_64") && getuid() != 0 {
            figures.virtualBoardSkipped = "no QEMU, and not root to install it"
        } else {
            // Tools/virtual-board takes its vigil from BUILD_PATH/debug: point that at the release build.
            let buildPath = workspace.path("virtual-board-build")
            try FileManager.default.createDirectory(atPath: buildPath, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: buildPath + "/debug", withDestinationPath: workspace.binaries)
            let repository = try workspace.repository
            figures.virtualBoard = try workspace.runJSON(
                GPIOLatencyBenchmark.Result.self, repository + "/Tools/virtual-board/run",
                ["--no-camera", "--timeout", "600", "--", bench, "gpio-latency", "--backend", "linux",
                 "--board", repository + "/Boards/virtual-board.yaml", "--count", common.quick ? "50" : "200"],
                name: "virtual-board", timeout: .seconds(900), environment: ["VIGIL_BUILD_PATH": buildPath])
        }
        return figures
    }

    private static func onPath(_ program: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(program)")
        }
    }

    func table(_ figures: Figures) -> String {
        var lines = ["", "GPIO: an edge's timestamp to our event"]
        if let board = figures.virtualBoard {
            lines.append(verdict("GPIO edge to event, virtual board, median / p99 us", String(
                format: "%.0f / %.0f", board.latencyMicroseconds.median, board.latencyMicroseconds.p99), target: "", met: nil))
        } else {
            lines.append("virtual board skipped: \(figures.virtualBoardSkipped ?? "")")
        }
        lines.append(verdict("GPIO edge to event, simulated board, median / p99 us", String(
            format: "%.0f / %.0f", figures.simulated.latencyMicroseconds.median, figures.simulated.latencyMicroseconds.p99), target: "", met: nil))
        return lines.joined(separator: "\n")
    }
}
