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
        #expect(summary.framesStored > 50 && summary.framesUnmatched == 0, "\(summary)")
        #expect(summary.events > 3 && summary.eventsMissing == 0, "\(summary)")
        #expect(summary.moviesOnDisk == summary.moviesIndexed && summary.partialMoviesLeft == 0, "\(summary)")
        #expect(summary.passed, "\(summary)")
    }
}
