import ArgumentParser
import Foundation
import HAL
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// `vigil-bench capacity` (`Tools/bench --only capacity`): how many emulated cameras one
/// `vigil emulate` process serves at 115200 baud, every pty's byte rate within 2% of the line
/// rate, all streaming at once.
struct CapacitySection: BenchSection {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Emulated cameras one vigil emulate serves at 115200 with every pty within 2% of the line rate.")

    @OptionGroup var common: SectionOptions

    static let pacingLimit = 0.02
    static let target = 64
    static let steps = [8, 16, 32, 64, 96, 128, 160, 192, 256]

    struct Step: Codable {
        var cameras: Int
        var worstError: Double
        var meanError: Double
        var slowestBytesPerSecond: Double
        var fastestBytesPerSecond: Double
        var emulatorCPUPercent: Double
    }

    struct Figures: Codable {
        var baud: Int
        var limit: Double
        var windowSeconds: Double
        var steps: [Step]
        var cameras: Int
        var stoppedBelowLimit: Bool
    }

    func measure(in workspace: Workspace) async throws -> Figures {
        let window = common.quick ? 3.0 : 5.0
        var steps: [Step] = []
        for count in common.quick ? [8, 32, 64] : Self.steps {
            let step = try await self.step(cameras: count, window: window, in: workspace)
            steps.append(step)
            if step.worstError >= Self.pacingLimit { break }
        }
        return Figures(
            baud: 115200, limit: Self.pacingLimit, windowSeconds: window, steps: steps,
            cameras: steps.filter { $0.worstError < Self.pacingLimit }.map(\.cameras).max() ?? 0,
            stoppedBelowLimit: steps.allSatisfy { $0.worstError < Self.pacingLimit })
    }

    /// Every camera streams one long READ_FBUF at 115200; each pty's byte rate is measured over
    /// `window` seconds after a second of warm-up.
    private func step(cameras count: Int, window: Double, in workspace: Workspace) async throws -> Step {
        let (emulator, paths) = try await workspace.emulator("vc0706", count: count, baud: 115200, size: "160x120", name: "emulate-\(count)")
        defer { emulator.stop() }
        var descriptors: [Int32] = []
        defer { for descriptor in descriptors { close(descriptor) } }
        for path in paths {
            let descriptor = try systemCall("open", target: path) { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK) }
            descriptors.append(descriptor)
            var attributes = termios()
            try systemCall("tcgetattr", target: path) { tcgetattr(descriptor, &attributes) }
            cfmakeraw(&attributes)
            try systemCall("cfsetspeed", target: path) { cfsetspeed(&attributes, speed_t(B115200)) }
            try systemCall("tcsetattr", target: path) { tcsetattr(descriptor, TCSANOW, &attributes) }
        }
        try await Task.sleep(for: .milliseconds(200))  // the bridge follows the baud we set within a poll slice
        // READ_FBUF from 0 for 16 MiB: the camera streams the frame, then its buffer.
        let request: [UInt8] = [0x56, 0x00, 0x32, 0x0C, 0x00, 0x0A, 0, 0, 0, 0, 0x01, 0, 0, 0, 0x00, 0x0A]
        for descriptor in descriptors {
            _ = try systemCall("write") { request.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }
        }
        var counts = [Int](repeating: 0, count: count)
        var buffer = [UInt8](repeating: 0, count: 65536)
        let clock = ContinuousClock()
        /// Reads what the pty has; returns when it has no more.
        func drain(_ index: Int) throws -> ContinuousClock.Instant {
            while let read = try Self.readAvailable(descriptors[index], path: paths[index], into: &buffer), read > 0 {
                counts[index] += read
            }
            return clock.now
        }
        func run(for seconds: Double) async throws {
            let end = clock.now + .milliseconds(Int(seconds * 1000))
            while clock.now < end {
                try await Task.sleep(for: .milliseconds(20))
                for index in 0..<count { _ = try drain(index) }
            }
        }
        try await run(for: 1)
        let ticksBefore = try ProcessFigures.ownTicks(emulator.pid)
        let wallBefore = clock.now
        var starts: [(ContinuousClock.Instant, Int)] = []
        for index in 0..<count { starts.append((try drain(index), counts[index])) }
        try await run(for: window)
        var rates: [Double] = []
        for index in 0..<count {
            let ended = try drain(index)
            rates.append(Double(counts[index] - starts[index].1) / (ended - starts[index].0).seconds)
        }
        let cpu = Double(try ProcessFigures.ownTicks(emulator.pid) - ticksBefore) / ProcessFigures.ticksPerSecond / (clock.now - wallBefore).seconds
        let line = 115200.0 / 10
        let errors = rates.map { abs($0 / line - 1) }
        return Step(
            cameras: count, worstError: errors.max() ?? 0, meanError: errors.reduce(0, +) / Double(max(1, errors.count)),
            slowestBytesPerSecond: rates.min() ?? 0, fastestBytesPerSecond: rates.max() ?? 0, emulatorCPUPercent: cpu * 100)
    }

    /// Reads what the non-blocking `descriptor` has into `buffer`: the count, or nil if it has nothing now.
    private static func readAvailable(_ descriptor: Int32, path: String, into buffer: inout [UInt8]) throws -> Int? {
        do {
            return try systemCall("read", target: path) { buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) } }
        } catch {
            if error.errno == EAGAIN { return nil }
            throw error
        }
    }

    func table(_ figures: Figures) -> String {
        let widths = [7, 12, 12, 12]
        var lines = [
            "", "Emulator capacity at 115200 (pacing error: |pty byte rate / 11520 - 1|)",
            tableRow(["cameras", "worst error", "mean error", "emulator CPU"], widths, leftAligned: 0),
        ]
        for step in figures.steps {
            lines.append(tableRow([
                "\(step.cameras)", String(format: "%.2f%%", step.worstError * 100), String(format: "%.2f%%", step.meanError * 100),
                String(format: "%.0f%%", step.emulatorCPUPercent),
            ], widths, leftAligned: 0))
        }
        lines.append(verdict(
            "emulated cameras at 115200, pacing error < 2%", "\(figures.cameras)\(figures.stoppedBelowLimit ? "+" : "")",
            target: ">= \(Self.target)", met: figures.cameras >= Self.target))
        return lines.joined(separator: "\n")
    }
}
