import ArgumentParser
import HAL
import Node

/// `vigil gpio get`: read lines once.
struct GPIOGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read the logical value of lines (like gpioget).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Lines to read: roles, names or CHIP:OFFSET.")
    var lines: [String]

    @Flag(help: "Treat lines that have no board role as active-low.")
    var activeLow = false

    @Option(help: "Bias for lines that have no board role: as-is, disabled, pull-up or pull-down.")
    var bias: LineBias?

    func validate() throws {
        guard !lines.isEmpty else { throw ValidationError("name at least one line, for example 'vigil gpio get pir'") }
    }

    func run() async throws {
        let context = try NodeHardware(options: options)
        let values = try await context.run { [lines, activeLow, bias] in
            try lines.map { reference -> (String, Bool) in
                let line = try context.resolveLine(reference)
                var settings = line.role == nil ? LineSettings.input(activeLow: activeLow, bias: bias ?? .asIs) : line.settings
                settings.edgeDetection = .none
                let request = try line.chip.requestLines([line.offset], settings: settings, consumer: "vigil")
                defer { request.release() }
                return (reference, try request.values()[0])
            }
        }
        if options.json {
            return try Output.json(Dictionary(values, uniquingKeysWith: { first, _ in first }))
        }
        print(values.map { "\($0.0)=\($0.1 ? 1 : 0)" }.joined(separator: " "))
    }
}

extension LineBias: ExpressibleByArgument {}
extension LineDrive: ExpressibleByArgument {}
extension EdgeDetection: ExpressibleByArgument {}
