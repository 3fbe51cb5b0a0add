import ArgumentParser
import Foundation

/// `vigil-bench transfer` (`Tools/bench --only transfer`): frame transfer over real ptys against
/// `vigil emulate`, as a fraction of the line rate, for our driver and for a host written like
/// the common libraries (Tools/hosts).
struct TransferSection: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Fraction of line rate of a frame's transfer over a pty, vigil snapshot against a host written like the common libraries.",
        discussion: """
            For each camera model x size x baud (38400, 115200): the wire time of the frame at 10 \
            bits a byte over the measured time, for `vigil snapshot --json` and for the \
            baseline (Tools/hosts: VC0706 32-byte READ_FBUF chunks, OV528/uCAM-III 128-byte \
            packages 10 ms apart, as Seeed's sketch does). --quick: the smallest size of each model.
            """)

    @OptionGroup var common: SectionOptions

    static let bauds = [38400, 115200]
    /// Each model's frame sizes, largest first.
    static let sizes: [(model: String, sizes: [String])] = [
        ("vc0706", ["640x480", "320x240", "160x120"]),
        ("ov528", ["640x480", "320x240", "160x120", "80x60"]),
        ("ucam3", ["640x480", "320x240", "160x128"]),
    ]
    static let baselineReads = ["vc0706": "32-byte READ_FBUF chunks", "ov528": "128-byte packages, 10 ms apart (Seeed)", "ucam3": "128-byte packages, 10 ms apart (Seeed)"]
    static let lineRateTarget = 0.97

    struct Transfer: Codable {
        var bytes: Int
        var seconds: Double?
        var chunkedSeconds: Double?
        var lineRateFraction: Double
        var retries: Int?
        var baud: Int?
    }

    struct Run: Codable {
        var model: String
        var size: String
        var baud: Int
        var driver: Transfer
        var baseline: Transfer?
    }

    func measure(in workspace: Workspace) async throws -> [Run] {
        var runs: [Run] = []
        for (model, sizes) in Self.sizes {
            for size in common.quick ? Array(sizes.suffix(1)) : sizes {
                for baud in Self.bauds {
                    runs.append(Run(
                        model: model, size: size, baud: baud, driver: try await driver(model, size, baud, in: workspace),
                        baseline: try await baseline(model, size, baud, in: workspace)))
                }
            }
        }
        return runs
    }

    /// A VC0706 resets to 38400 and is moved from there; the OV528 family is found at its baud.
    private static func startBaud(_ model: String, _ baud: Int) -> Int { model == "vc0706" ? 38400 : baud }

    private func driver(_ model: String, _ size: String, _ baud: Int, in workspace: Workspace) async throws -> Transfer {
        let start = Self.startBaud(model, baud)
        let (emulator, ports) = try await workspace.emulator(model, baud: start, size: size, name: "emulate-\(model)")
        defer { emulator.stop() }
        return try workspace.runJSON(
            Transfer.self, workspace.vigil,
            ["snapshot", "--board", try workspace.benchBoard(), "--port", ports[0], "--camera", model, "--baud", "\(start)",
             "--max-baud", "\(baud)", "--size", size, "--json", "-o", workspace.path("snapshot.jpg")],
            name: "snapshot", timeout: .seconds(180))
    }

    private func baseline(_ model: String, _ size: String, _ baud: Int, in workspace: Workspace) async throws -> Transfer {
        let (emulator, ports) = try await workspace.emulator(model, baud: Self.startBaud(model, baud), size: size, name: "emulate-\(model)")
        defer { emulator.stop() }
        let repository = try workspace.repository
        var arguments: [String]
        if model == "vc0706" {
            arguments = [repository + "/Tools/hosts/vc0706_host.py", ports[0], workspace.path("host"), "\(baud)", "--chunk", "32", "--chunked-only", "--json"]
        } else {
            arguments = [repository + "/Tools/hosts/ov528_host.py", ports[0], workspace.path("host.jpg"), "--baud", "\(baud)", "--size", size, "--variant", model, "--json"]
        }
        let python = repository + "/.build-python/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ChildProcess.Failure(description: "no \(python) for the baseline hosts: run Tools/setup")
        }
        var transfer = try workspace.runJSON(Transfer.self, python, arguments, name: "host", timeout: .seconds(300))
        transfer.seconds = transfer.seconds ?? transfer.chunkedSeconds
        return transfer
    }

    func table(_ runs: [Run]) -> String {
        var lines = [
            "", "Frame transfer over ptys, fraction of line rate (bytes: frame size; baseline: a host written like the",
            "common libraries: vc0706 \(Self.baselineReads["vc0706"] ?? ""); ov528/ucam3 \(Self.baselineReads["ov528"] ?? ""))",
        ]
        let widths = [8, 8, 7] + Self.bauds.flatMap { _ in [12, 12] }
        lines.append(tableRow(["model", "size", "bytes"] + Self.bauds.flatMap { ["vigil \($0)", "base \($0)"] }, widths, leftAligned: 2))
        var frames: [(String, String)] = []
        for run in runs where !frames.contains(where: { $0 == (run.model, run.size) }) { frames.append((run.model, run.size)) }
        for (model, size) in frames {
            let matching = runs.filter { $0.model == model && $0.size == size }
            var cells = [model, size, "\(matching.map(\.driver.bytes).max() ?? 0)"]
            for baud in Self.bauds {
                let run = matching.first { $0.baud == baud }
                cells += [formatted(run?.driver.lineRateFraction, "%.3f"), formatted(run?.baseline?.lineRateFraction, "%.3f")]
            }
            lines.append(tableRow(cells, widths, leftAligned: 2))
        }
        for (model, _) in Self.sizes {
            for baud in Self.bauds {
                let matching = runs.filter { $0.model == model && $0.baud == baud }
                guard let worst = matching.min(by: { $0.driver.lineRateFraction < $1.driver.lineRateFraction }) else { continue }
                lines.append(verdict(
                    "\(model) line rate at \(baud), worst of \(matching.count) sizes (\(worst.size))", formatted(worst.driver.lineRateFraction, "%.3f"),
                    target: ">= \(Self.lineRateTarget)", met: worst.driver.lineRateFraction >= Self.lineRateTarget))
            }
        }
        return lines.joined(separator: "\n")
    }
}
