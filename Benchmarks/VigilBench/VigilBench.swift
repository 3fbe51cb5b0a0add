import ArgumentParser

/// `vigil-bench`: the sections of `Tools/bench`, each a subcommand that measures and prints its
/// table (`--json` for its figures), and `all`, which runs them as Tools/bench does. Build it
/// with `-c release`; the figures of a debug build mean little.
@main
struct VigilBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil-bench",
        abstract: "What a Vigil node can do, measured on this machine; Tools/bench builds and runs it.",
        subcommands: [AllSections.self] + AllSections.sections.map { $0 as any ParsableCommand.Type }
            + [MovieFlushBenchmark.self, GPIOLatencyBenchmark.self, SerialUnderLoadBenchmark.self, ProtocolFloorHost.self])
}
