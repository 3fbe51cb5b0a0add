import Foundation
import Node
import Testing

/// The soak mode on a short plan: every kind of fault comes within ten simulated minutes.
@Suite(.serialized) struct SoakTests {
    @Test func aShortSoakInjectsEveryKindOfFaultAndLosesNothing() async throws {
        var rig = try SimulatedNodeRig()
        defer { rig.storage.remove() }
        rig.configuration.cameras[0].maxBaud = 38400
        let node = try rig.makeNode()
        var plan = SoakPlan(seed: 7, duration: .seconds(600))
        plan.serialEvery = .seconds(120)
        plan.powerCutEvery = .seconds(180)
        plan.pirChatterEvery = .seconds(120)
        plan.diskFullEvery = .seconds(200)
        plan.diskFullLength = .seconds(40)
        plan.passerByEvery = .seconds(40)
        let summary = try await Soak(plan: plan, node: node).run()

        for kind in ["serial-plan", "unplug", "power-cut", "pir-chatter", "disk-full"] {
            #expect((summary.faults[kind] ?? 0) > 0, "no \(kind) in \(summary.faults)")
        }
        #expect(summary.rereads + summary.cameraErrors > 0, "the faults the driver rode through show: \(summary)")
        #expect(summary.framesStored > 50 && summary.framesUnmatched == 0, "\(summary)")
        #expect(summary.events > 3 && summary.eventsMissing == 0, "\(summary)")
        #expect(summary.moviesOnDisk == summary.moviesIndexed && summary.partialMoviesLeft == 0, "\(summary)")
        #expect(summary.passed, "\(summary)")
    }

    @Test func residentSetGrowthIsTheMedianSlopeOverTheHourlyReadings() throws {
        let mib = 1_048_576.0
        // 2 MiB a day with a sawtooth of +-0.5 MiB on top, as malloc's arenas give.
        let readings = (1...72).map { hour in
            (hours: Double(hour), bytes: Int64(70 * mib + 2 * mib * Double(hour) / 24 + (hour % 2 == 0 ? 0.5 : -0.5) * mib))
        }
        let slope = try #require(SoakSummary.growthPerDay(readings))
        #expect(abs(slope - 2 * mib) < 0.05 * mib, "\(slope / mib) MiB a day")
        let flat = (1...72).map { (hours: Double($0), bytes: Int64(70 * mib)) }
        #expect(SoakSummary.growthPerDay(flat) == 0)
        // One step of 1 MiB at hour 20 (an arena malloc keeps): no growth a day.
        let step = (1...72).map { (hours: Double($0), bytes: Int64(70 * mib + ($0 >= 20 ? mib : 0))) }
        #expect(SoakSummary.growthPerDay(step) == 0)
        #expect(SoakSummary.growthPerDay([(hours: 1, bytes: 1)]) == nil)
    }
}
