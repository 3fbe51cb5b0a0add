import ArgumentParser
import Foundation

/// `vigil-bench simulation` (`Tools/bench --only simulation`): simulated hours of a whole node
/// (`vigil record --board sim`) per wall-clock second.
struct SimulationSection: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "simulation",
        abstract: "Simulated hours of a whole node (vigil record --board sim) per wall-clock second.")

    @OptionGroup var common: SectionOptions

    struct Figures: Codable {
        var simulated: String
        var wallSeconds: Double
        var simulatedHoursPerSecond: Double
        var events: Int
        var movies: Int
    }

    /// What of `vigil record --json`'s report this section reads.
    private struct Report: Decodable {
        /// Any value: only the count matters.
        struct Item: Decodable {
            init(from decoder: any Decoder) throws {}
        }
        var events: [Item]?
        var movies: [Item]?
    }

    func measure(in workspace: Workspace) throws -> Figures {
        let duration = common.quick ? "10m" : "1h"
        let hours = common.quick ? 1.0 / 6 : 1.0
        let storage = workspace.path("sim-storage")
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        let started = ContinuousClock.now
        let report = try workspace.runJSON(
            Report.self, workspace.vigil,
            ["record", "--board", "sim", "--speed", "1000000", "--duration", duration, "--storage", storage, "--json"],
            name: "simulation", timeout: .seconds(600))
        let seconds = (ContinuousClock.now - started).seconds
        return Figures(
            simulated: duration, wallSeconds: seconds, simulatedHoursPerSecond: hours / seconds, events: report.events?.count ?? 0,
            movies: report.movies?.count ?? 0)
    }

    func table(_ figures: Figures) -> String {
        """

        Simulation: \(figures.simulated) of a whole node simulated in \(String(format: "%.1f", figures.wallSeconds)) s (\(figures.events) events, \(figures.movies) movies)
        \(verdict("simulated node hours per wall-clock second (x real time)", String(format: "%.3f (%.0fx)", figures.simulatedHoursPerSecond, figures.simulatedHoursPerSecond * 3600), target: "", met: nil))
        """
    }
}
