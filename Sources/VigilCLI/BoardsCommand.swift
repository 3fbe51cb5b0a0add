import ArgumentParser
import BoardSupport

/// `vigil boards`: the board descriptions Vigil knows.
struct BoardsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boards",
        abstract: "List, show and validate board descriptions.",
        discussion: "Boards are YAML files: the repository's Boards/ folder, $VIGIL_BOARDS, or a path you give.",
        subcommands: [List.self, Show.self, Validate.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the boards Vigil can find.")
        @OptionGroup var options: GlobalOptions

        struct Entry: Encodable {
            var name: String
            var description: String
            var backend: BoardBackend?
            var camera: String?
            var file: String
            var errors: [BoardDiagnostic]?
        }

        func run() async throws {
            let entries = BoardCatalog().availableBoards().map { listing in
                Entry(
                    name: listing.name, description: listing.description, backend: listing.board?.backend,
                    camera: listing.board.map { "\($0.camera.model) on \($0.camera.device) at \($0.camera.baud)" },
                    file: listing.file, errors: listing.error?.diagnostics)
            }
            if options.json { return try Output.json(entries) }
            if entries.isEmpty {
                print("no boards found: set VIGIL_BOARDS to a folder of board files, or pass --board PATH")
            }
            Output.table([["NAME", "BACKEND", "CAMERA", "DESCRIPTION"]] + entries.map { entry in
                [entry.name, entry.backend?.rawValue ?? "-", entry.camera ?? "-",
                 entry.errors == nil ? entry.description : "invalid: run 'vigil boards validate \(entry.file)'"]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one board: its chips, camera and lines.")
        @OptionGroup var options: GlobalOptions

        @Argument(help: "A board name or file; default: the --board in force.")
        var board: String?

        func run() async throws {
            let description = try BoardCatalog().load(nameOrPath: board ?? options.boardName)
            if options.json { return try Output.json(description) }
            print("\(description.name): \(description.description)")
            print("backend: \(description.backend)")
            print("camera:  \(description.camera.model) on \(description.camera.device) at \(description.camera.baud) baud")
            for chip in description.chips {
                print("chip:    \(chip.label) (\(chip.lineCount) lines)")
            }
            print("lines:")
            Output.table(LogicalLine.allCases.map { role in
                guard let line = description.lines[role] else { return ["  \(role)", "none", role.peripheral] }
                var traits = [line.activeLow ? "active-low" : "active-high"]
                if line.bias != .asIs { traits.append(line.bias.rawValue) }
                if line.drive != .pushPull { traits.append(line.drive.rawValue) }
                if let debounce = line.debounce { traits.append("debounce \(debounce.humanReadable)") }
                return ["  \(role)", line.location, role.peripheral, traits.joined(separator: ", ")]
            })
            if let simulation = description.simulation {
                print("simulation: seed \(simulation.seed), PIR every \(simulation.pirPeriod.humanReadable) for \(simulation.pirHold.humanReadable)")
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check board files and report every problem with file, line and column.")
        @OptionGroup var options: GlobalOptions

        @Argument(help: "Board files to check.")
        var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one board file, for example 'vigil boards validate Boards/sim.yaml'") }
        }

        struct Report: Encodable {
            var file: String
            var valid: Bool
            var errors: [BoardDiagnostic]
        }

        func run() async throws {
            let reports = files.map { file in
                do {
                    _ = try BoardCatalog().load(path: file)
                    return Report(file: file, valid: true, errors: [])
                } catch let error as BoardError {
                    return Report(file: file, valid: false, errors: error.diagnostics)
                } catch {
                    return Report(file: file, valid: false, errors: [BoardDiagnostic(file: file, message: "\(error)")])
                }
            }
            if options.json {
                try Output.json(reports)
            } else {
                for report in reports {
                    if report.valid { print("\(report.file): ok") }
                    for error in report.errors { print(error) }
                }
            }
            if reports.contains(where: { !$0.valid }) { throw ExitCode(1) }
        }
    }
}
