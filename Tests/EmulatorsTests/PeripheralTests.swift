import HAL
import HALSimulation
import Testing

@testable import Emulators

@Suite struct PIRSensorTests {
    func edges(_ sensor: PIRSensor, scene: PatternScene, until seconds: Int64) async throws -> [EdgeEvent] {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(label: "sim", lineCount: 20, clock: clock)
        let request = try chip.requestLines([17], settings: .input(edges: .both), consumer: "test")
        return try await Simulation.run(clock: clock) {
            try await withThrowingTaskGroup(of: [EdgeEvent].self) { group in
                group.addTask { await sensor.run(watching: { scene }, chip: chip, offset: 17, clock: clock); return [] }
                var events: [EdgeEvent] = []
                let end = MonotonicInstant.zero.advanced(by: .seconds(seconds))
                while clock.now < end { events += try await request.waitForEdgeEvents(deadline: end) }
                group.cancelAll()
                return events
            }
        }
    }

    func at(_ seconds: Double) -> MonotonicInstant { .zero.advanced(by: .nanoseconds(Int64(seconds * 1e9))) }

    @Test func theOutputFollowsTheSceneAndHoldsAfterTheLastDetection() async throws {
        // Someone in view from 10 s to 12.05 s: active from 10 s until 4 s after the last sample that saw them.
        let events = try await edges(PIRSensor(), scene: PatternScene(motion: [10...12.05]), until: 30)
        #expect(events.map(\.kind) == [.rising, .falling])
        #expect(events[0].timestamp == at(10))
        #expect(events[1].timestamp == at(16))
    }

    @Test func withoutRetriggerTheOutputEndsAfterTheHoldAndBlocks() async throws {
        let sensor = PIRSensor(holdTime: .seconds(2), retrigger: false, blockTime: .seconds(3))
        let events = try await edges(sensor, scene: PatternScene(motion: [5...20]), until: 20)
        // On at 5, off at 7, blocked until 10, on again at 10, off at 12, ...
        #expect(events.filter { $0.kind == .rising }.map(\.timestamp) == [at(5), at(10), at(15)])
        #expect(events.filter { $0.kind == .falling }.map(\.timestamp) == [at(7), at(12), at(17)])
    }

    @Test func aZoneIgnoresMotionElsewhere() async throws {
        var sensor = PIRSensor()
        (sensor.zoneX, sensor.zoneWidth) = (0.8, 0.2)  // the pattern scene's person is at x 0.4-0.5
        let events = try await edges(sensor, scene: PatternScene(motion: [2...4]), until: 10)
        #expect(events.isEmpty)
    }
}

@Suite struct LEDObserverTests {
    @Test func tellsOffOnAndBlinking() async throws {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(label: "sim", lineCount: 28, clock: clock)
        let led = try chip.requestLines([27], settings: .output(), consumer: "test")
        let observer = LEDObserver(chip: chip, offset: 27)
        try await Simulation.run(clock: clock) {
            #expect(observer.pattern(over: .seconds(1), endingAt: clock.now) == .off)
            try led.setValues([true])
            try await clock.sleep(for: .seconds(2))
            #expect(observer.pattern(over: .seconds(1), endingAt: clock.now) == .on)
            for _ in 0..<10 {
                try led.setValues([false])
                try await clock.sleep(for: .milliseconds(250))
                try led.setValues([true])
                try await clock.sleep(for: .milliseconds(250))
            }
            #expect(observer.pattern(over: .seconds(3), endingAt: clock.now) == .blinking(period: .milliseconds(500)))
            #expect(observer.isLit)
        }
    }
}
