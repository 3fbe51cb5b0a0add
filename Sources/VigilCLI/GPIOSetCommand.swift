import ArgumentParser
import HAL
import Node

/// `vigil gpio set`: drive output lines.
struct GPIOSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Drive output lines to logical values (like gpioset).",
        discussion: """
            Each assignment is LINE=VALUE, VALUE being 1/0, on/off, high/low. Without --hold the \
            lines are released as soon as they are set; what a released line then shows is up \
            to the chip. With --hold they are held for that long.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Assignments LINE=VALUE, for example status-led=1.")
    var assignments: [String]

    @Option(help: "Hold the values this long before releasing the lines (90s, 5m, 1h).", transform: DurationArgument.parse)
    var hold: DurationArgument?

    @Flag(help: "Treat lines that have no board role as active-low.")
    var activeLow = false

    @Option(help: "Output drive for lines that have no board role: push-pull, open-drain or open-source.")
    var drive: LineDrive = .pushPull

    func parsedAssignments() throws -> [(line: String, value: Bool)] {
        try assignments.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = LineValue(argument: parts[1]) else {
                throw ValidationError("'\(text)': expected LINE=VALUE with VALUE 1/0, on/off or high/low, for example status-led=1")
            }
            return (parts[0], value.value)
        }
    }

    func validate() throws {
        guard !assignments.isEmpty else { throw ValidationError("give at least one LINE=VALUE, for example 'vigil gpio set status-led=1'") }
        _ = try parsedAssignments()
    }

    func run() async throws {
        let context = try NodeHardware(options: options)
        let wanted = try parsedAssignments()
        let (activeLow, drive, hold) = (activeLow, drive, hold)
        let result = try await context.run {
            var requests: [any LineRequest] = []
            defer { requests.forEach { $0.release() } }
            var report: [String: Bool] = [:]
            for (reference, value) in wanted {
                let line = try context.resolveLine(reference)
                var settings = line.role == nil ? LineSettings.output(activeLow: activeLow, drive: drive) : line.settings
                guard settings.direction == .output else {
                    throw CLIError("'\(reference)' is the board's \(line.role?.peripheral ?? "input"), an input: it cannot be driven")
                }
                settings.initialValue = value
                requests.append(try line.chip.requestLines([line.offset], settings: settings, consumer: "vigil"))
                report[reference] = value
            }
            if let hold { try await context.clock.sleep(for: hold.duration) }
            return report
        }
        if options.json { return try Output.json(result) }
        print(wanted.map { "\($0.line)=\($0.value ? 1 : 0)" }.joined(separator: " ") + (hold.map { " held for \($0)" } ?? ""))
    }
}
