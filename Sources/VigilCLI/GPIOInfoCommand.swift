import ArgumentParser
import BoardSupport
import HAL
import Node

/// `vigil gpio info`: every chip and line, with the board's roles.
struct GPIOInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "List GPIO chips and their lines (like gpioinfo).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Chips to list (label, number or path); default: all.")
    var chips: [String] = []

    struct Line: Encodable {
        var offset: Int
        var name: String?
        var role: String?
        var consumer: String?
        var used: Bool
        var direction: LineDirection
        var activeLow: Bool
        var bias: LineBias
        var drive: LineDrive
    }

    struct Chip: Encodable {
        var name: String
        var label: String
        var path: String
        var lineCount: Int
        var lines: [Line]
    }

    func run() async throws {
        let context = try NodeHardware(options: options)
        let listing = try await context.run { [chips] in
            let selected = chips.isEmpty ? try context.gpio.chips() : try chips.map { try context.gpio.chip(ChipSelector($0)) }
            return try selected.map { chip in
                Chip(
                    name: chip.info.name, label: chip.info.label, path: chip.info.path, lineCount: chip.info.lineCount,
                    lines: try chip.allLineInfo().map { line in
                        let role = context.board.lines.first { $0.value.chipLabel == chip.info.label && $0.value.offset == line.offset }?.key
                        return Line(
                            offset: line.offset, name: line.name, role: role?.rawValue, consumer: line.consumer,
                            used: line.isUsed, direction: line.direction, activeLow: line.activeLow, bias: line.bias,
                            drive: line.drive)
                    })
            }
        }
        if options.json { return try Output.json(listing) }
        if listing.isEmpty {
            print("no GPIO chips found (backend \(context.backend); on Linux, GPIO chips are /dev/gpiochip*)")
        }
        for chip in listing {
            print("\(chip.name) [\(chip.label)] \(chip.path) (\(chip.lineCount) lines)")
            Output.table(chip.lines.map { line in
                [
                    "line \(line.offset):", line.name.map { "\"\($0)\"" } ?? "unnamed",
                    line.used ? "\"\(line.consumer ?? "kernel")\"" : "unused",
                    line.direction.rawValue, line.activeLow ? "active-low" : "active-high",
                    line.role.map { "[\($0)]" } ?? "",
                ]
            }, indent: "    ")
        }
    }
}
