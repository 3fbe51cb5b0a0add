import HAL
import HALSimulation
import Peripherals
import Testing

/// A simulated chip with one output line (offset 0) for an LED or illuminator.
struct Bench {
    let clock = VirtualClock()
    let chip: SimulatedGPIOChip
    let line: any LineRequest

    init(settings: LineSettings = .output()) throws {
        chip = SimulatedGPIOChip(label: "bench", lineCount: 4, clock: clock)
        line = try chip.requestLines([0], settings: settings, consumer: "test")
    }

    /// The line's level changes after the initial one, as (seconds, level).
    func changes(of offset: Int = 0) -> [Change] {
        chip.history(of: offset).dropFirst().map { Change($0.time.seconds, $0.level) }
    }

    /// Sleeps on the bench's clock until `seconds` after its start.
    func at(_ seconds: Double) async throws {
        try await clock.sleep(until: .zero.advanced(by: .milliseconds(Int64((seconds * 1000).rounded()))))
    }
}

struct Change: Equatable, CustomStringConvertible {
    var seconds: Double
    var level: Bool
    init(_ seconds: Double, _ level: Bool) {
        self.seconds = (seconds * 1000).rounded() / 1000
        self.level = level
    }
    var description: String { "\(seconds)s:\(level ? 1 : 0)" }
}

/// Runs `led.run()` beside `script` on virtual time, then cancels it.
func drive(_ led: StatusLED, on bench: Bench, _ script: @escaping @Sendable () async throws -> Void) async throws {
    try await Simulation.run(clock: bench.clock) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await led.run() }
            try await script()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

@Suite struct StatusLEDTests {
    @Test func idleFlashesFor100msEveryTwoSeconds() async throws {
        let bench = try Bench()
        let led = try StatusLED(line: bench.line, pattern: .idle)
        try await drive(led, on: bench) { try await bench.at(5) }
        #expect(bench.changes() == [
            Change(0, true), Change(0.1, false), Change(2, true), Change(2.1, false), Change(4, true), Change(4.1, false),
        ])
    }

    @Test func cameraLostBlinksAt4HzWithoutDrift() async throws {
        let bench = try Bench()
        let led = try StatusLED(line: bench.line, pattern: .cameraLost)
        try await drive(led, on: bench) { try await bench.at(150) }
        let changes = bench.changes()
        let rises = changes.filter(\.level).map(\.seconds)
        let falls = changes.filter { !$0.level }.map(\.seconds)
        #expect(rises.count == 600)
        #expect(rises.enumerated().allSatisfy { index, time in time == Double(index) * 0.25 })
        #expect(falls.enumerated().allSatisfy { index, time in time == Double(index) * 0.25 + 0.125 })
    }

    @Test func aNewPatternTakesEffectAtOnceAndStartsFromItsFirstStep() async throws {
        let bench = try Bench()
        let led = try StatusLED(line: bench.line, pattern: .idle)
        try await drive(led, on: bench) {
            try await bench.at(0.5)
            led.setPattern(.cameraLost)
            try await bench.at(0.95)
            led.setPattern(.recording)
            try await bench.at(3)
            led.setPattern(.off)
            try await bench.at(4)
            led.setPattern(.error)
            try await bench.at(6.05)
        }
        #expect(bench.changes() == [
            Change(0, true), Change(0.1, false),
            // camera lost at 0.5: lit at once, 125 ms steps
            Change(0.5, true), Change(0.625, false), Change(0.75, true), Change(0.875, false),
            // recording at 0.95: steady until off at 3
            Change(0.95, true), Change(3, false),
            // error at 4: three 150 ms flashes, 1.25 s dark, again
            Change(4, true), Change(4.15, false), Change(4.3, true), Change(4.45, false), Change(4.6, true), Change(4.75, false),
            Change(6, true), Change(6.05, false),
        ])
        #expect(led.pattern == .error)
    }

    @Test func settingThePatternAlreadyShownKeepsItsPhase() async throws {
        let bench = try Bench()
        let led = try StatusLED(line: bench.line, pattern: .idle)
        try await drive(led, on: bench) {
            for time in stride(from: 0.05, through: 2.05, by: 0.5) {
                try await bench.at(time)
                led.setPattern(.idle)
            }
            try await bench.at(2.5)
        }
        #expect(bench.changes() == [Change(0, true), Change(0.1, false), Change(2, true), Change(2.1, false)])
    }

    @Test func cancellingTurnsTheLEDOff() async throws {
        let bench = try Bench()
        let led = try StatusLED(line: bench.line, pattern: .recording)
        try await drive(led, on: bench) { try await bench.at(1) }
        #expect(bench.changes() == [Change(0, true), Change(1, false)])
        #expect(led.isLit == false)
    }

    @Test func anActiveLowLEDIsLitByALowPin() async throws {
        let bench = try Bench(settings: .output(initialValue: false, activeLow: true))
        let led = try StatusLED(line: bench.line, pattern: .idle)
        try await drive(led, on: bench) { try await bench.at(1) }
        // Physical levels: high when requested (logical 0), low while lit.
        #expect(bench.changes() == [Change(0, true), Change(0, false), Change(0.1, true)])
    }

    @Test func customPatternsAreChecked() throws {
        let pattern = try BlinkPattern.blink(name: "heartbeat", on: .milliseconds(50), off: .milliseconds(950))
        #expect(pattern.period == .seconds(1))
        #expect(!pattern.isSteady)
        #expect(BlinkPattern.recording.isSteady && BlinkPattern.off.isSteady)
        #expect(throws: HALError.self) { try BlinkPattern(steps: []) }
        #expect(throws: HALError.self) { try BlinkPattern.blink(on: .zero, off: .seconds(1)) }
        let bench = try Bench(settings: .input())
        #expect(throws: HALError.self) { try StatusLED(line: bench.line) }
    }

    @Test func aReleasedLineEndsTheLoopWithAnError() async throws {
        let bench = try Bench()
        let led = try StatusLED(line: bench.line, pattern: .cameraLost)
        let error = try await Simulation.run(clock: bench.clock) { () -> HALError? in
            try await withThrowingTaskGroup(of: HALError?.self) { group in
                group.addTask {
                    do throws(HALError) { try await led.run() } catch { return error }
                    return nil
                }
                group.addTask {
                    try await bench.at(1.01)
                    bench.line.release()
                    return nil
                }
                var found: HALError?
                for try await result in group { found = found ?? result }
                return found
            }
        }
        #expect(error?.kind == .closed)
    }
}
