import HAL
import HALSimulation
import Peripherals
import Testing

@Suite struct TamperSwitchTests {
    /// The board's tamper line: active-low with a pull-up, debounced 20 ms; a closed enclosure
    /// holds the pin high (logical 0).
    let settings = LineSettings.input(activeLow: true, bias: .pullUp, edges: .both, debounce: .milliseconds(20))

    @Test func edgesBecomeOpenedAndClosedWithTheirTimes() async throws {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(label: "bench", lineCount: 4, clock: clock)
        chip.drive(2, to: true)
        let request = try chip.requestLines([2], settings: settings, consumer: "test")
        let tamper = try TamperSwitch(line: request)
        #expect(try !tamper.isOpen())
        @Sendable func at(_ ms: Int64) async throws { try await clock.sleep(until: .zero.advanced(by: .milliseconds(ms))) }

        let events = try await Simulation.run(clock: clock) { () -> [TamperSwitch.Event] in
            try await withThrowingTaskGroup(of: [TamperSwitch.Event].self) { group in
                group.addTask {
                    var seen: [TamperSwitch.Event] = []
                    for try await event in try tamper.events() {
                        seen.append(event)
                        if seen.count == 3 { break }
                    }
                    return seen
                }
                group.addTask {
                    try await at(1000)
                    chip.drive(2, to: false)  // lid off
                    try await at(1005)
                    chip.drive(2, to: true)  // bounce
                    try await at(1008)
                    chip.drive(2, to: false)  // settles open
                    try await at(3000)
                    chip.drive(2, to: true)  // closed
                    try await at(5000)
                    chip.drive(2, to: false)
                    return []
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        #expect(events.map(\.kind) == [.opened, .closed, .opened])
        #expect(events.map(\.timestamp) == [1008, 3000, 5000].map { MonotonicInstant.zero.advanced(by: .milliseconds($0)) })
        #expect(try tamper.isOpen())
    }

    @Test func theLineMustBeAnInputWatchedForBothEdges() throws {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(label: "bench", lineCount: 4, clock: clock)
        let output = try chip.requestLines([0], settings: .output(), consumer: "test")
        #expect(throws: HALError.self) { try TamperSwitch(line: output) }
        let rising = try chip.requestLines([1], settings: .input(edges: .rising), consumer: "test")
        #expect(throws: HALError.self) { try TamperSwitch(line: rising) }
        let both = try chip.requestLines([2, 3], settings: .input(edges: .both), consumer: "test")
        #expect(throws: HALError.self) { try TamperSwitch(line: both, offset: 0) }
        #expect(try TamperSwitch(line: both, offset: 3).isOpen() == false)
    }
}
