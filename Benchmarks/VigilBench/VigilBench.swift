import ArgumentParser

/// `vigil-bench`: the in-process measurements of `Tools/bench`, each printing one JSON object.
/// Build it with `-c release`; the figures of a debug build mean little.
@main
struct VigilBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil-bench",
        abstract: "Benchmarks that run inside one process; Tools/bench runs them and the rest.",
        subcommands: [MotionBenchmark.self, MovieFlushBenchmark.self, GPIOLatencyBenchmark.self, FanOutBenchmark.self, SerialUnderLoadBenchmark.self])
}
