import Foundation

/// The seeded schedule of a soak run of the simulated node (`vigil record --board sim --soak
/// SEED`): how long, and how often each fault comes. Every fault's time and shape is drawn from
/// ``seed``, so a run can be repeated exactly; gaps between faults of one kind are drawn around
/// their mean (half to one and a half times it), so the number of faults grows linearly with
/// ``duration`` (72 simulated hours give about 72 serial plans, 24 power cuts, 36 PIR chatters
/// and 12 disk-full spells with the defaults).
public struct SoakPlan: Sendable, Hashable {
    /// Draws every fault.
    public var seed: UInt64
    /// Simulated time to run.
    public var duration: Duration
    /// A new fault plan on the camera's serial link (dropped bytes, a stall, a short unplug).
    public var serialEvery = Duration.seconds(3600)
    /// The camera's power is cut for ``powerCutLength``.
    public var powerCutEvery = Duration.seconds(3 * 3600)
    public var powerCutLength = Duration.seconds(10)
    /// The PIR line chatters (a burst of short pulses, as a failing sensor or a long cable gives).
    public var pirChatterEvery = Duration.seconds(2 * 3600)
    /// The storage refuses new data (`ENOSPC`) for ``diskFullLength``, then has room again.
    public var diskFullEvery = Duration.seconds(6 * 3600)
    public var diskFullLength = Duration.seconds(10 * 60)
    /// How often someone passes in front of the camera (and the PIR): a soak is mostly quiet.
    public var passerByEvery = Duration.seconds(10 * 60)
    /// How fast the resident set may grow, in bytes per simulated day over the hourly readings
    /// from the first hour on (``SoakSummary/growthPerDay(_:)``), before the run counts as leaking. Judged only on runs of
    /// at least ``rssJudgedAfter``: a shorter run is too short to tell a slope from noise.
    public var rssGrowthPerDayBound: Int64 = 1 << 20
    public var rssJudgedAfter = Duration.seconds(24 * 3600)

    public init(seed: UInt64, duration: Duration) {
        self.seed = seed
        self.duration = duration
    }
}
