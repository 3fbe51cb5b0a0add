import ArgumentParser
import BoardSupport
import Foundation
import HAL
import HALLinux
import HALSimulation
import Synchronization
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// `vigil-bench gpio-latency`: how long an input edge takes from its timestamp to our event.
struct GPIOLatencyBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio-latency",
        abstract: "Edge-to-delivery latency: from an edge's timestamp to the event our HAL hands over.",
        discussion: """
            linux: requests the board's PIR line with edge detection and drives it COUNT times \
            through gpio-sim's sysfs attribute (sim_gpioN/pull), as in the virtual board \
            (Tools/virtual-board/run); the latency is the monotonic clock when \
            waitForEdgeEvents returns minus the kernel's timestamp of the edge. \
            sim: a simulated chip on a virtual clock paced at the wall clock (as 'vigil record \
            --board sim'); the latency is the wall-clock time from the drive to the event, and \
            the virtual one (the event's timestamp to the virtual time it arrived) is reported too.
            """)

    enum Backend: String, ExpressibleByArgument { case linux, sim }

    @Option(help: "linux (gpio-sim through libgpiod) or sim (the simulated chip).")
    var backend: Backend = .sim

    @Option(help: "The board file whose PIR line is used (linux).")
    var board = "virtual-board"

    @Option(help: "How many edges to measure.")
    var count = 200

    @Option(help: "Pause between edges, in milliseconds.")
    var interval = 5

    struct Result: Codable {
        var backend: String
        var edges: Int
        /// From the edge's timestamp to our event, in microseconds.
        var latencyMicroseconds: Distribution
        /// linux: from just before the sysfs write to the kernel's timestamp; sim: the virtual
        /// time from the timestamp to the event (0 when delivered at the instant of the edge).
        var otherMicroseconds: Distribution
        var otherMeaning: String
    }

    func run() async throws {
        guard count > 0, interval >= 0 else { throw ValidationError("--count must be positive and --interval not negative") }
        let result = switch backend {
        case .linux: try await measureLinux()
        case .sim: try await measureSimulated()
        }
        try printJSON(result)
    }

    private func measureLinux() async throws -> Result {
        let description = try BoardCatalog().load(nameOrPath: board)
        let gpio = LinuxGPIO()
        guard let assignment = description.lines[.pir], let line = try description.resolve(.pir, in: gpio) else {
            throw ValidationError("board \(description.name) has no PIR line")
        }
        let (chip, offset) = line
        let attribute = "/sys/bus/gpio/devices/\(chip.info.name)/sim_gpio\(offset)/pull"
        var settings = assignment.settings
        settings.edgeDetection = .both
        settings.debounce = nil
        let request = try chip.requestLines([offset], settings: settings, consumer: "vigil-bench")
        defer { request.release() }
        let clock = SystemClock()
        var level = try request.values()[0]
        var latencies: [Double] = []
        var stamping: [Double] = []
        for _ in 0..<count {
            level.toggle()
            // The pull gives the physical level; an active-low line reads the opposite.
            let pull = level != settings.activeLow ? "pull-up" : "pull-down"
            let before = clock.now
            try writeAttribute(attribute, pull)
            let events = try await request.waitForEdgeEvents(deadline: clock.now.advanced(by: .seconds(2)))
            let delivered = clock.now
            guard let event = events.first else { throw CLIFailure("no edge within 2 s of writing \(pull) to \(attribute)") }
            latencies.append(microseconds(event.timestamp.duration(to: delivered)))
            stamping.append(microseconds(before.duration(to: event.timestamp)))
            try await clock.sleep(for: .milliseconds(interval))
        }
        return Result(
            backend: "linux", edges: latencies.count, latencyMicroseconds: Distribution(latencies),
            otherMicroseconds: Distribution(stamping), otherMeaning: "sysfs write to kernel timestamp")
    }

    private func measureSimulated() async throws -> Result {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(label: "vigil-bench", lineCount: 1, clock: clock)
        let request = try chip.requestLines([0], settings: .input(edges: .both), consumer: "vigil-bench")
        defer { request.release() }
        let (count, interval) = (count, interval)
        let wall = SystemClock()
        let (latencies, virtualLatencies) = try await Simulation.run(clock: clock, speed: 1) {
            try await withThrowingTaskGroup(of: ([Double], [Double]).self) { group in
                let driven = Driven()
                group.addTask {
                    var latencies: [Double] = []
                    var virtualLatencies: [Double] = []
                    while latencies.count < count {
                        for event in try await request.waitForEdgeEvents(deadline: .distantFuture) {
                            let arrived = wall.now
                            latencies.append(microseconds(driven.instant(event.timestamp).duration(to: arrived)))
                            virtualLatencies.append(microseconds(event.timestamp.duration(to: clock.now)))
                        }
                    }
                    return (latencies, virtualLatencies)
                }
                group.addTask {
                    for index in 0..<count {
                        driven.note(clock.now, wall.now)
                        chip.drive(0, to: index % 2 == 0)
                        try await clock.sleep(for: .milliseconds(max(interval, 1)))
                    }
                    return ([], [])
                }
                var results: [([Double], [Double])] = []
                for try await result in group { results.append(result) }
                return results.max { $0.0.count < $1.0.count } ?? ([], [])
            }
        }
        return Result(
            backend: "sim", edges: latencies.count, latencyMicroseconds: Distribution(latencies),
            otherMicroseconds: Distribution(virtualLatencies), otherMeaning: "virtual time from timestamp to event")
    }
}

/// The wall-clock instant at which each virtual instant's edge was driven.
private final class Driven: Sendable {
    private let drives = Mutex<[MonotonicInstant: MonotonicInstant]>([:])

    func note(_ virtual: MonotonicInstant, _ wall: MonotonicInstant) { drives.withLock { $0[virtual] = wall } }

    func instant(_ virtual: MonotonicInstant) -> MonotonicInstant { drives.withLock { $0[virtual] ?? virtual } }
}

private func microseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
}

/// Writes `text` to a sysfs attribute.
private func writeAttribute(_ path: String, _ text: String) throws(HALError) {
    let descriptor = try systemCall("open", target: path) { open(path, O_WRONLY | O_CLOEXEC) }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    try systemCall("write", target: path) { write(descriptor, bytes, bytes.count) }
}

/// A failure reported to the user as it is.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
