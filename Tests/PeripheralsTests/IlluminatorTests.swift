import HAL
import HALSimulation
import Peripherals
import Synchronization
import Testing

/// A wall clock for schedules: a local time of day at the bench's start, moved by virtual time
/// and by jumps a test makes (NTP setting the clock).
final class WallClock: Sendable {
    let clock: VirtualClock
    let offset: Mutex<Int>

    init(clock: VirtualClock, startingAt start: TimeOfDay) {
        self.clock = clock
        offset = Mutex(start.secondsSinceMidnight)
    }

    func now() -> TimeOfDay {
        TimeOfDay(secondsSinceMidnight: offset.withLock { $0 } + Int(clock.now.seconds))
    }

    func jump(by seconds: Int) { offset.withLock { $0 += seconds } }
}

func time(_ text: String) throws -> TimeOfDay { try #require(TimeOfDay(text)) }

@Suite struct IlluminatorTests {
    @Test func autoSwitchesWithHysteresisAndAMinimumInterval() throws {
        let bench = try Bench()
        let thresholds = try Illuminator.DarknessThresholds(onBelow: 40, offAbove: 70, minimumSwitchInterval: .seconds(60))
        let ir = try Illuminator(line: bench.line, mode: .auto(thresholds))
        // (seconds, luma, expected state after the reading)
        let script: [(Double, Double, Bool)] = [
            (0, 100, false), (0, 40, false),  // not below 40
            (1, 39, true),  // dark: on at once (no switch before)
            (2, 69, true), (3, 70, true),  // between: no change; 70 is not above 70
            (4, 200, true),  // bright, but only 3 s since the switch
            (60.9, 200, true),
            (61, 50, true),  // the interval has passed, but this reading no longer asks
            (62, 71, false),  // off
            (63, 10, false),  // dark again, too soon
            (121.5, 39.5, false),
            (122, 0, true),
            (123, 300, true), (124, -1, true),  // not lumas: ignored
        ]
        for (seconds, luma, expected) in script {
            bench.clock.advance(to: .zero.advanced(by: .milliseconds(Int64(seconds * 1000))))
            try ir.observe(luma: luma)
            #expect(ir.isOn == expected, "at \(seconds) s after luma \(luma)")
        }
        #expect(bench.changes() == [Change(1, true), Change(62, false), Change(122, true)])
        #expect(ir.status.luma == 0)
        #expect(ir.status.lastSwitch == .zero.advanced(by: .seconds(122)))
    }

    @Test func thresholdsAreChecked() {
        #expect(throws: HALError.self) { try Illuminator.DarknessThresholds(onBelow: 70, offAbove: 40) }
        #expect(throws: HALError.self) { try Illuminator.DarknessThresholds(onBelow: 40, offAbove: 40) }
        #expect(throws: HALError.self) { try Illuminator.DarknessThresholds(onBelow: -1, offAbove: 40) }
        #expect(throws: HALError.self) { try Illuminator.DarknessThresholds(onBelow: 10, offAbove: 256) }
        #expect(throws: HALError.self) { try Illuminator.DarknessThresholds(minimumSwitchInterval: .seconds(-1)) }
    }

    @Test func aScheduleAcrossMidnightSwitchesAtItsEnds() async throws {
        let bench = try Bench()
        let wall = WallClock(clock: bench.clock, startingAt: try time("18:59"))
        let ir = try Illuminator(
            line: bench.line, mode: .schedule(try DailySchedule(from: time("19:00"), to: time("07:00"))),
            timeOfDay: { wall.now() })
        #expect(!ir.isOn)
        try await run(ir, on: bench) { try await bench.at(26 * 3600) }
        // 19:00 is 60 s in; 07:00 twelve hours later; 19:00 again a day after the first.
        #expect(bench.changes() == [Change(60, true), Change(60 + 12 * 3600, false), Change(60 + 24 * 3600, true)])
    }

    @Test func aJumpOfTheWallClockIsFollowedWithinAMinute() async throws {
        let bench = try Bench()
        let wall = WallClock(clock: bench.clock, startingAt: try time("12:00"))
        let ir = try Illuminator(
            line: bench.line, mode: .schedule(try DailySchedule(from: time("19:00"), to: time("07:00"))),
            timeOfDay: { wall.now() })
        try await run(ir, on: bench) {
            try await bench.at(100)
            wall.jump(by: 8 * 3600)  // NTP: it is 20:01:40, not 12:01:40
            try await bench.at(400)
        }
        let changes = bench.changes()
        #expect(changes.count == 1)
        let switched = try #require(changes.first)
        #expect(switched.level && switched.seconds > 100 && switched.seconds <= 160)
    }

    @Test func setModeAppliesAtOnceAndWakesTheSchedule() async throws {
        let bench = try Bench()
        let wall = WallClock(clock: bench.clock, startingAt: try time("06:59:50"))
        let ir = try Illuminator(
            line: bench.line, mode: .schedule(try DailySchedule(from: time("19:00"), to: time("07:00"))),
            timeOfDay: { wall.now() })
        #expect(ir.isOn)  // 06:59:50 is in the night
        try await run(ir, on: bench) {
            try await bench.at(5)
            try ir.setMode(.off)
            try await bench.at(6)
            try ir.setMode(.on)
            try await bench.at(20)  // 07:00:10: the schedule no longer rules
            try ir.setMode(.schedule(DailySchedule(from: time("07:00:15"), to: time("07:00:30"))))
            try await bench.at(60)
        }
        #expect(bench.changes() == [
            Change(0, true), Change(5, false), Change(6, true), Change(20, false), Change(25, true), Change(40, false),
        ])
        #expect(ir.status.mode == .schedule(try DailySchedule(from: time("07:00:15"), to: time("07:00:30"))))
    }

    @Test func timesOfDayAndSchedulesParseAndWrap() throws {
        #expect(TimeOfDay("19:00")?.secondsSinceMidnight == 19 * 3600)
        #expect(TimeOfDay("7:05")?.description == "07:05")
        #expect(TimeOfDay("23:59:59")?.description == "23:59:59")
        for bad in ["24:00", "7", "ab:cd", "1:2:3:4", "-1:00", "12:60", "12:00:60", "", "１２:00", "123:00"] {
            #expect(TimeOfDay(bad) == nil, "\(bad)")
        }
        let night = try DailySchedule(from: time("19:00"), to: time("07:00"))
        for inside in ["19:00", "23:59:59", "00:00", "06:59:59"] { #expect(night.contains(try time(inside)), "\(inside)") }
        for outside in ["07:00", "12:00", "18:59:59"] { #expect(!night.contains(try time(outside)), "\(outside)") }
        #expect(night.secondsToNextChange(from: try time("18:00")) == 3600)
        #expect(night.secondsToNextChange(from: try time("23:00")) == 8 * 3600)
        let day = try DailySchedule(from: time("08:00"), to: time("17:00"))
        let (eight, five, three) = (try time("08:00"), try time("17:00"), try time("03:00"))
        #expect(day.contains(eight) && !day.contains(five) && !day.contains(three))
        #expect(throws: HALError.self) { try DailySchedule(from: time("07:00"), to: time("07:00")) }
        #expect(TimeOfDay(secondsSinceMidnight: -1).description == "23:59:59")
    }

    private func run(_ ir: Illuminator, on bench: Bench, _ script: @escaping @Sendable () async throws -> Void) async throws {
        try await Simulation.run(clock: bench.clock) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await ir.run() }
                try await script()
                group.cancelAll()
                try await group.waitForAll()
            }
        }
    }
}
