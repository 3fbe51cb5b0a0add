import ArgumentParser
import HAL
import Node
import Synchronization

/// `vigil gpio monitor`: print edges as they happen.
struct GPIOMonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Print edge events on lines as they happen (like gpiomon).",
        discussion: """
            Runs until interrupted, or until --count events or --duration have passed. \
            Timestamps are the kernel's (CLOCK_MONOTONIC) on Linux and virtual time on the \
            simulated board. With --json, one JSON object a line.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Lines to watch: roles, names or CHIP:OFFSET.")
    var lines: [String]

    @Option(help: "Which edges: rising, falling or both.")
    var edges: EdgeDetection = .both

    @Option(help: "Stop after this many events.")
    var count: Int?

    @Option(help: "Stop after this long (90s, 5m, 1h).", transform: DurationArgument.parse)
    var duration: DurationArgument?

    @Option(help: "Debounce period for lines that have no board role (for example 20ms).", transform: DurationArgument.parse)
    var debounce: DurationArgument?

    @Option(help: "Bias for lines that have no board role: as-is, disabled, pull-up or pull-down.")
    var bias: LineBias?

    func validate() throws {
        guard !lines.isEmpty else { throw ValidationError("name at least one line, for example 'vigil gpio monitor pir'") }
        if let count, count <= 0 { throw ValidationError("--count must be at least 1") }
        if edges == .none { throw ValidationError("--edges must be rising, falling or both") }
    }

    struct Event: Encodable {
        var line: String
        var chip: String
        var offset: Int
        var edge: EdgeEvent.Kind
        var seconds: Double
    }

    func run() async throws {
        let context = try NodeHardware(options: options)
        let (lines, edges, count, duration, debounce, bias, json) = (lines, edges, count, duration, debounce, bias, options.json)
        let printed = EventCounter()
        try await context.run {
            let watched = try lines.map { reference in
                let line = try context.resolveLine(reference)
                var settings = line.role == nil ? LineSettings.input(bias: bias ?? .asIs, debounce: debounce?.duration) : line.settings
                guard settings.direction == .input else {
                    throw CLIError("'\(reference)' is the board's \(line.role?.peripheral ?? "output"), an output: it has no edges to watch")
                }
                settings.edgeDetection = edges
                return (line, try line.chip.requestLines([line.offset], settings: settings, consumer: "vigil"))
            }
            defer { watched.forEach { $0.1.release() } }
            if !json {
                print("watching \(watched.map { $0.0.label }.joined(separator: ", ")) for \(edges) edges")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (line, request) in watched {
                    group.addTask {
                        for try await event in request.edgeEvents {
                            let record = Event(line: line.role?.rawValue ?? line.reference, chip: line.chip.info.label, offset: line.offset, edge: event.kind, seconds: event.timestamp.seconds)
                            if json {
                                try Output.jsonLine(record)
                            } else {
                                print("\(event.timestamp)  \(event.kind == .rising ? "rising " : "falling")  \(line.label)")
                            }
                            let seen = printed.increment()
                            if let count, seen >= count { return }
                        }
                    }
                }
                if let duration {
                    group.addTask { try await context.clock.sleep(for: duration.duration) }
                }
                // Whichever finishes first (enough events, or time up) ends the watch.
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Counts events across the tasks that watch each line.
final class EventCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Adds one and returns the new count.
    func increment() -> Int { count.add(1, ordering: .sequentiallyConsistent).newValue }
}
