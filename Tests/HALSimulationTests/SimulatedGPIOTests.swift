import HAL
import Testing

@testable import HALSimulation

@Suite struct SimulatedGPIOTests {
    let clock = VirtualClock()
    let chip: SimulatedGPIOChip
    let gpio: SimulatedGPIO

    init() {
        chip = SimulatedGPIOChip(label: "vigil-sim", lineCount: 28, names: (0..<28).map { "GPIO\($0)" }, clock: clock)
        gpio = SimulatedGPIO(chips: [chip])
    }

    func ms(_ value: Int64) -> MonotonicInstant { .zero.advanced(by: .milliseconds(value)) }

    @Test func linesAreFoundByNameAndChipsByLabelPathAndNumber() throws {
        let found = try #require(try gpio.findLine(named: "GPIO17"))
        #expect(found.offset == 17)
        #expect(try gpio.chip(.label("vigil-sim")).info.name == "gpiochip0")
        #expect(try gpio.chip(ChipSelector("0")).info.label == "vigil-sim")
        #expect(try gpio.chip(.path("/dev/gpiochip0")).info.lineCount == 28)
        #expect(throws: HALError.self) { try gpio.chip(.label("pinctrl-bcm2711")) }
        #expect(try gpio.findLine(named: "GPIO99") == nil)
    }

    @Test func edgesCarryVirtualTimestampsAndFollowTheRequestedDetection() async throws {
        let request = try chip.requestLines([17], settings: .input(bias: .pullDown, edges: .rising), consumer: "test")
        try await Simulation.run(clock: clock) { [chip, clock] in
            async let events = request.waitForEdgeEvents(deadline: clock.deadline(after: .seconds(10)))
            try await clock.sleep(until: ms(100))
            chip.drive(17, to: true)
            let first = try await events
            #expect(first == [EdgeEvent(kind: .rising, offset: 17, timestamp: ms(100))])
            chip.drive(17, to: false)  // falling: not asked for
            try await clock.sleep(until: ms(300))
            chip.drive(17, to: true)
            let second = try await request.waitForEdgeEvents(deadline: clock.deadline(after: .seconds(1)))
            #expect(second.map(\.timestamp) == [ms(300)])
        }
    }

    @Test func waitingWithNoEdgesReturnsEmptyAtTheDeadline() async throws {
        let request = try chip.requestLines([5], settings: .input(edges: .both), consumer: "test")
        try await Simulation.run(clock: clock) { [clock] in
            let events = try await request.waitForEdgeEvents(deadline: ms(750))
            #expect(events.isEmpty)
            #expect(clock.now == ms(750))
        }
    }

    @Test func pullsDecideUndrivenInputsAndExternalDriveOverridesThem() throws {
        let up = try chip.requestLines([2], settings: .input(bias: .pullUp), consumer: "test")
        let down = try chip.requestLines([3], settings: .input(bias: .pullDown), consumer: "test")
        #expect(try up.values() == [true])
        #expect(try down.values() == [false])
        chip.drive(2, to: false)
        chip.drive(3, to: true)
        #expect(try up.values() == [false])
        #expect(try down.values() == [true])
        chip.drive(2, to: nil)
        #expect(try up.values() == [true])
    }

    @Test func activeLowInvertsValuesEdgesAndOutputs() async throws {
        let tamper = try chip.requestLines([23], settings: .input(activeLow: true, bias: .pullUp, edges: .both), consumer: "test")
        #expect(try tamper.values() == [false])  // pulled up = inactive
        try await Simulation.run(clock: clock) { [chip, clock] in
            try await clock.sleep(until: ms(10))
            chip.drive(23, to: false)  // switch closes to ground
            let events = try await tamper.waitForEdgeEvents(deadline: clock.deadline(after: .seconds(1)))
            #expect(events.map(\.kind) == [.rising])
        }
        #expect(try tamper.values() == [true])
        let led = try chip.requestLines([27], settings: .output(initialValue: true, activeLow: true), consumer: "test")
        #expect(chip.level(of: 27) == false)
        try led.setValues([false])
        #expect(chip.level(of: 27) == true)
    }

    @Test func debounceSwallowsBounceAndReportsTheSettledEdge() async throws {
        let request = try chip.requestLines([23], settings: .input(bias: .pullDown, edges: .both, debounce: .milliseconds(20)), consumer: "test")
        try await Simulation.run(clock: clock) { [chip, clock] in
            // Contact bounce: 1 0 1 0 1 within 4 ms, then steady high.
            for (index, level) in [true, false, true, false, true].enumerated() {
                try await clock.sleep(until: ms(100 + Int64(index)))
                chip.drive(23, to: level)
            }
            let events = try await request.waitForEdgeEvents(deadline: clock.deadline(after: .seconds(1)))
            #expect(events == [EdgeEvent(kind: .rising, offset: 23, timestamp: ms(104))])
            #expect(clock.now == ms(124))
            // A glitch shorter than the period is never reported.
            chip.drive(23, to: false)
            try await clock.sleep(for: .milliseconds(5))
            chip.drive(23, to: true)
            #expect(try await request.waitForEdgeEvents(deadline: clock.deadline(after: .seconds(1))).isEmpty)
        }
    }

    @Test func outputsKeepATimedHistory() async throws {
        let led = try chip.requestLines([27], settings: .output(), consumer: "test")
        try await Simulation.run(clock: clock) { [clock] in
            for step in 1...4 {
                try await clock.sleep(until: ms(Int64(step) * 250))
                try led.setValues([step % 2 == 1])
            }
        }
        #expect(chip.history(of: 27).map(\.time) == [ms(0), ms(250), ms(500), ms(750), ms(1000)])
        #expect(chip.history(of: 27).map(\.level) == [false, true, false, true, false])
    }

    @Test func aLineThatTogglesForWeeksKeepsABoundedHistory() throws {
        let chip = SimulatedGPIOChip(label: "small", lineCount: 1, clock: clock, historyLimit: 100)
        let led = try chip.requestLines([0], settings: .output(), consumer: "test")
        for step in 1...301 { try led.setValues([step % 2 == 1]) }
        let history = chip.history(of: 0)
        #expect(history.count >= 100 && history.count <= 200, "\(history.count) changes kept")
        #expect(history.last?.level == true, "the newest change is kept")
        #expect(zip(history, history.dropFirst()).allSatisfy { $0.level != $1.level }, "no change lost in between")
    }

    @Test func aHeldLineIsBusyAndReleasedLinesAreFreeAgain() throws {
        let first = try chip.requestLines([4], settings: .output(), consumer: "vigil")
        #expect(throws: HALError.self) { try chip.requestLines([4], settings: .input(), consumer: "other") }
        #expect(try chip.lineInfo(4).consumer == "vigil")
        #expect(try chip.lineInfo(4).direction == .output)
        first.release()
        #expect(try chip.lineInfo(4).isUsed == false)
        #expect(throws: HALError.self) { try first.values() }
        _ = try chip.requestLines([4], settings: .input(), consumer: "other")
    }

    @Test func edgeEventsAsAnAsyncSequence() async throws {
        let request = try chip.requestLines([17], settings: .input(edges: .both), consumer: "test")
        let kinds = try await Simulation.run(clock: clock) { [chip, clock] in
            async let collected: [EdgeEvent.Kind] = {
                var kinds: [EdgeEvent.Kind] = []
                for try await event in request.edgeEvents {
                    kinds.append(event.kind)
                    if kinds.count == 4 { break }
                }
                return kinds
            }()
            for step in 1...4 {
                try await clock.sleep(for: .seconds(30))
                chip.drive(17, to: step % 2 == 1)
            }
            return try await collected
        }
        #expect(kinds == [.rising, .falling, .rising, .falling])
    }

    @Test func anHourOfVirtualTimeRunsInAMoment() async throws {
        let request = try chip.requestLines([17], settings: .input(edges: .both), consumer: "test")
        let count = try await Simulation.run(clock: clock) { [chip, clock] in
            async let seen: Int = {
                var count = 0
                while clock.now < .zero.advanced(by: .seconds(3600)) {
                    count += try await request.waitForEdgeEvents(deadline: .zero.advanced(by: .seconds(3600))).count
                }
                return count
            }()
            for second in stride(from: 1, through: 3599, by: 1) {
                try await clock.sleep(until: .zero.advanced(by: .seconds(second)))
                chip.drive(17, to: second % 2 == 1)
            }
            return try await seen
        }
        #expect(count == 3599)
    }
}
