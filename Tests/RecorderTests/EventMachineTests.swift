import HAL
import Testing

@testable import Recorder

/// The event machine on hand-made timelines: frames every 500 ms, triggers at chosen times.
@Suite struct EventMachineTests {
    typealias Machine = EventMachine<Int>

    static func at(_ milliseconds: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: milliseconds * 1_000_000) }

    /// Feeds frames numbered by their time in ms (every `period` ms from `from` to `to`),
    /// applying `triggers` as their times come, and returns every action.
    static func run(
        _ machine: inout Machine, from: Int64 = 0, to: Int64, period: Int64 = 500, triggers: [Trigger] = [],
        motion: (Int64) -> Bool = { _ in false }
    ) -> [Machine.Action] {
        var actions: [Machine.Action] = []
        var pending = triggers.sorted { $0.time < $1.time }
        var time = from
        while time <= to {
            // A trigger reaches the machine after the frame before its time completes.
            while let first = pending.first, first.time <= at(time) {
                machine.trigger(first)
                pending.removeFirst()
            }
            actions += machine.frame(Int(time), captureTime: at(time), motion: motion(time))
            time += period
        }
        return actions
    }

    static func written(_ actions: [Machine.Action]) -> [Int] {
        actions.compactMap { if case .write(let frame, _, _) = $0 { frame } else { nil } }
    }

    @Test func quietFramesOpenNothing() {
        var machine = Machine()
        #expect(Self.run(&machine, to: 60_000).isEmpty)
        #expect(!machine.isRecording)
    }

    @Test func aTriggerRecordsPreCaptureThenUntilPostCapture() {
        var machine = Machine(settings: .init(preCapture: .seconds(2), postCapture: .seconds(3), eventGap: .seconds(10)))
        let actions = Self.run(&machine, to: 30_000, triggers: [Trigger(.manual, at: Self.at(10_200))])
        // Frames at 8.5 s ... 10.0 s are pre-capture (10.0 < 10.2 s); the event starts at 10.5 s's frame.
        let frames = Self.written(actions)
        #expect(frames.first == 8_500)
        #expect(frames.contains(10_000))
        // Post-capture: up to 10.2 + 3 = 13.2 s.
        #expect(frames.last == 13_000)
        guard case .beginEvent(let start, let triggers) = actions.first else {
            Issue.record("no event began: \(actions)")
            return
        }
        #expect(start == Self.at(10_200))
        #expect(triggers == [.manual])
        // The event ends at the first frame past the gap (10.2 + 10 s), at its last written frame.
        guard case .endEvent(let end, let count) = actions.last else {
            Issue.record("the event did not end: \(actions)")
            return
        }
        #expect(end == Self.at(13_000))
        #expect(count == frames.count)
        #expect(frames == Array(stride(from: 8_500, through: 13_000, by: 500)))
    }

    @Test func aSpanRecordsWhileActive() {
        var machine = Machine(settings: .init(preCapture: .seconds(1), postCapture: .seconds(2), eventGap: .seconds(5)))
        let actions = Self.run(
            &machine, to: 60_000,
            triggers: [Trigger(.pir, at: Self.at(5_000), phase: .began), Trigger(.pir, at: Self.at(20_100), phase: .ended)])
        let frames = Self.written(actions)
        #expect(frames.first == 4_000)
        // Active until 20.1 s, then 2 s of post-capture.
        #expect(frames.last == 22_000)
        #expect(frames == Array(stride(from: 4_000, through: 22_000, by: 500)))
        #expect(!machine.isRecording)
    }

    @Test func activityWithinTheGapContinuesTheEventWithRingFrames() {
        var machine = Machine(settings: .init(preCapture: .seconds(1), postCapture: .seconds(1), eventGap: .seconds(8)))
        let actions = Self.run(
            &machine, to: 40_000,
            triggers: [Trigger(.manual, at: Self.at(5_000)), Trigger(.manual, at: Self.at(10_000))])
        let begins = actions.filter { if case .beginEvent = $0 { true } else { false } }
        #expect(begins.count == 1)
        let frames = Self.written(actions)
        // 4.0...6.0, then the ring's 9.0 and 9.5 and 10.0...11.0.
        #expect(frames == [4_000, 4_500, 5_000, 5_500, 6_000, 9_000, 9_500, 10_000, 10_500, 11_000])
    }

    @Test func activityAfterTheGapIsANewEvent() {
        var machine = Machine(settings: .init(preCapture: .zero, postCapture: .seconds(1), eventGap: .seconds(3)))
        let actions = Self.run(
            &machine, to: 40_000, triggers: [Trigger(.manual, at: Self.at(5_000)), Trigger(.manual, at: Self.at(20_000))])
        let begins = actions.compactMap { if case .beginEvent(let start, _) = $0 { start } else { nil } }
        let ends = actions.compactMap { if case .endEvent(let end, _) = $0 { end } else { nil } }
        #expect(begins == [Self.at(5_000), Self.at(20_000)])
        #expect(ends == [Self.at(6_000), Self.at(21_000)])
    }

    @Test func longEventsSplitIntoMovies() {
        var machine = Machine(settings: .init(preCapture: .zero, postCapture: .zero, eventGap: .seconds(1), maxMovieLength: .seconds(10)))
        let actions = Self.run(
            &machine, to: 60_000,
            triggers: [Trigger(.pir, at: Self.at(0), phase: .began), Trigger(.pir, at: Self.at(25_000), phase: .ended)])
        let movies = actions.compactMap { if case .beginMovie(let first) = $0 { first } else { nil } }
        #expect(movies == [Self.at(0), Self.at(10_000), Self.at(20_000)])
        let endMovies = actions.filter { if case .endMovie = $0 { true } else { false } }
        #expect(endMovies.count == 3)
        #expect(Self.written(actions).count == 51)
    }

    @Test func withoutMoviesNoMovieIsAskedForAndNoFrameIsKeptBack() {
        var machine = Machine(
            settings: .init(preCapture: .seconds(2), postCapture: .seconds(1), eventGap: .seconds(8), maxMovieLength: .seconds(2), movies: false))
        let actions = Self.run(
            &machine, to: 40_000,
            triggers: [Trigger(.manual, at: Self.at(5_000)), Trigger(.pir, at: Self.at(10_000), phase: .began),
                       Trigger(.pir, at: Self.at(14_000), phase: .ended)])
        let movies = actions.filter { switch $0 { case .beginMovie, .endMovie: true; default: false } }
        #expect(movies.isEmpty, "\(movies)")
        let begins = actions.filter { if case .beginEvent = $0 { true } else { false } }
        #expect(begins.count == 1)
        // From the trigger on, no pre-capture before it nor ring frames of the gap (6.5...9.5 s).
        let marked = actions.compactMap { if case .write(let frame, _, let motion) = $0 { motion ? frame : nil } else { nil } }
        #expect(Self.written(actions) == [5_000, 5_500, 6_000] + Array(stride(from: 10_000, through: 15_000, by: 500)))
        // The frame that began the event is the first marked (the snapshot's).
        #expect(marked.first == 5_000)
        guard case .endEvent = actions.last else {
            Issue.record("the event did not end: \(actions)")
            return
        }
    }

    @Test func softwareMotionStartsAndProlongsEvents() {
        var machine = Machine(settings: .init(preCapture: .zero, postCapture: .seconds(1), eventGap: .seconds(2)))
        let actions = Self.run(&machine, to: 20_000, motion: { (3_000...6_000).contains($0) })
        let frames = Self.written(actions)
        #expect(frames == Array(stride(from: 3_000, through: 7_000, by: 500)))
        guard case .beginEvent(let start, let triggers) = actions.first else {
            Issue.record("no event: \(actions)")
            return
        }
        #expect(start == Self.at(3_000))
        #expect(triggers == [.motion])
    }

    @Test func newSourcesDuringAnEventAreAdded() {
        var machine = Machine(settings: .init(preCapture: .zero, postCapture: .seconds(2), eventGap: .seconds(5)))
        let actions = Self.run(
            &machine, to: 20_000,
            triggers: [Trigger(.manual, at: Self.at(1_000)), Trigger(.cameraMotion, at: Self.at(2_000)), Trigger(.manual, at: Self.at(2_500))])
        let added = actions.compactMap { if case .addTriggers(let sources) = $0 { sources } else { nil } }
        #expect(added == [[.cameraMotion]])
    }

    @Test func finishClosesTheOpenEvent() {
        var machine = Machine()
        _ = Self.run(&machine, to: 5_000, triggers: [Trigger(.pir, at: Self.at(1_000), phase: .began)])
        #expect(machine.isRecording)
        let actions = machine.finish()
        #expect(actions.count == 2)
        guard case .endMovie = actions.first, case .endEvent(let end, _) = actions.last else {
            Issue.record("unexpected: \(actions)")
            return
        }
        #expect(end == Self.at(5_000))
        #expect(!machine.isRecording)
        #expect(machine.finish().isEmpty)
    }
}
