import ArgumentParser
import Foundation

/// The options every section of `Tools/bench` takes.
struct SectionOptions: ParsableArguments {
    @Flag(help: "Shorter runs (as Tools/bench --quick).")
    var quick = false

    @Flag(help: "Print the figures as one JSON object instead of the table.")
    var json = false

    @Option(help: "Also write the figures as JSON to this file.")
    var output: String?

    @Flag(help: "Keep the work folder (logs, configurations, storage).")
    var keep = false
}

/// One section of `Tools/bench`: a subcommand of `vigil-bench` that measures, then prints its
/// table (or its JSON with `--json`), and can write its figures to a file for the whole run's
/// results (`--output`).
protocol BenchSection: AsyncParsableCommand {
    associatedtype Figures: Encodable
    var common: SectionOptions { get }
    /// Takes the section's figures, starting what it needs in `workspace` and stopping it again.
    func measure(in workspace: Workspace) async throws -> Figures
    /// The figures as the table Tools/bench prints.
    func table(_ figures: Figures) -> String
}

extension BenchSection {
    func run() async throws {
        let workspace = try Workspace(prefix: Self.configuration.commandName ?? "section")
        var kept = common.keep
        defer {
            if kept {
                FileHandle.standardError.write(Data("vigil-bench: work folder kept: \(workspace.folder)\n".utf8))
            } else {
                workspace.remove()
            }
        }
        let figures: Figures
        do {
            figures = try await measure(in: workspace)
        } catch {
            kept = true
            throw error
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(figures)
        if let output = common.output {
            guard FileManager.default.createFile(atPath: output, contents: data + Data("\n".utf8)) else {
                throw ChildProcess.Failure(description: "cannot write \(output)")
            }
        }
        if common.json {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            print(table(figures))
        }
    }
}

/// Where a section finds the release binaries and keeps its logs and temporary files.
struct Workspace: Sendable {
    /// The folder holding `vigil` and `vigil-bench` (this executable's).
    let binaries: String
    /// A new temporary folder of this run.
    let folder: String

    init(prefix: String) throws {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        binaries = (executable as NSString).deletingLastPathComponent
        folder = NSTemporaryDirectory() + "vigil-bench-\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// The path of the release `vigil` beside this executable.
    var vigil: String { binaries + "/vigil" }

    /// A path in the work folder.
    func path(_ name: String) -> String { folder + "/" + name }

    /// Writes `text` to a file in the work folder and returns its path.
    func write(_ text: String, to name: String) throws -> String {
        let path = path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A board for the Linux backend with no GPIO lines: the cameras are on ptys.
    func benchBoard() throws -> String {
        try write(
            """
            name: bench
            description: Tools/bench, cameras on ptys and no GPIO
            backend: linux
            chips:
              - label: vigil-bench-no-chip
                lines: 1
            camera:
              model: vc0706
              device: /dev/null
              baud: 38400
            lines:
              pir: none
              status-led: none
              ir-led: none
              tamper: none
              camera-power: none

            """, to: "bench.yaml")
    }

    func remove() {
        do {
            try FileManager.default.removeItem(atPath: folder)
        } catch {
            FileHandle.standardError.write(Data("vigil-bench: could not remove \(folder): \(error)\n".utf8))
        }
    }
}
