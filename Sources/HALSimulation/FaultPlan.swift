import HAL

/// Faults a simulated serial link applies to the bytes crossing it, reproducibly.
///
/// Byte indices count the bytes sent in one direction since the plan took effect (the link
/// was made, or ``SimulatedSerialLink/setFaults(_:)`` was called), from 0; unplug times are
/// measured from that moment too.
/// Everything random (bit flips) is drawn from ``seed``: the same plan applied to the same
/// traffic gives the same bytes, every run.
public struct FaultPlan: Sendable, Hashable {
    /// A pause in delivery: byte ``atByte`` and everything after it arrive `duration` late.
    public struct Stall: Sendable, Hashable {
        public var atByte: Int
        public var duration: Duration
        public init(atByte: Int, duration: Duration) {
            self.atByte = atByte
            self.duration = duration
        }
    }

    /// The far end disappears for a while: bytes that would arrive meanwhile are lost. With
    /// `portVanishes` (a USB adapter pulled out) reads and writes fail with `disconnected`.
    public struct Unplug: Sendable, Hashable {
        public var at: MonotonicInstant
        public var duration: Duration
        public var portVanishes: Bool
        public init(at: MonotonicInstant, duration: Duration, portVanishes: Bool = false) {
            self.at = at
            self.duration = duration
            self.portVanishes = portVanishes
        }

        /// Whether `elapsed` (time since the plan took effect) falls in the unplugged window.
        func covers(_ elapsed: Duration) -> Bool {
            let start = MonotonicInstant.zero.duration(to: at)
            return elapsed >= start && elapsed < start + duration
        }
    }

    /// Which way the faults apply.
    public enum Direction: String, Sendable, Hashable, CaseIterable {
        /// From the host end to the device end (commands).
        case toDevice
        /// From the device end to the host end (replies and images).
        case toHost
        case both
    }

    public var seed: UInt64
    public var direction: Direction
    /// Indices of bytes that are never delivered.
    public var droppedBytes: Set<Int>
    /// The probability that each bit of each byte arrives inverted.
    public var bitFlipRate: Double
    public var stalls: [Stall]
    public var unplugs: [Unplug]

    public init(
        seed: UInt64 = 0, direction: Direction = .both, droppedBytes: Set<Int> = [],
        bitFlipRate: Double = 0, stalls: [Stall] = [], unplugs: [Unplug] = []
    ) {
        self.seed = seed
        self.direction = direction
        self.droppedBytes = droppedBytes
        self.bitFlipRate = bitFlipRate
        self.stalls = stalls
        self.unplugs = unplugs
    }

    /// A perfect link.
    public static let none = FaultPlan()

    /// Whether this plan does anything at all.
    public var isEmpty: Bool {
        droppedBytes.isEmpty && bitFlipRate == 0 && stalls.isEmpty && unplugs.isEmpty
    }

    func applies(to direction: Direction) -> Bool {
        self.direction == .both || self.direction == direction
    }

    /// A plan with faults drawn from `seed`: a few dropped bytes among the first `byteSpan`,
    /// bit flips at `bitFlipRate`, and with the given probabilities a stall or an unplug.
    public static func random(
        seed: UInt64, byteSpan: Int, direction: Direction = .toHost, drops: Int = 1,
        bitFlipRate: Double = 1e-4, stallProbability: Double = 0.2, stall: Duration = .seconds(2),
        unplugProbability: Double = 0.1, unplugWindow: ClosedRange<Duration> = .zero ... .seconds(5)
    ) -> FaultPlan {
        var random = SeededRandom(seed: seed)
        var plan = FaultPlan(seed: seed, direction: direction, bitFlipRate: bitFlipRate)
        for _ in 0..<drops where byteSpan > 0 { plan.droppedBytes.insert(Int(random.next() % UInt64(byteSpan))) }
        if random.nextUnit() < stallProbability, byteSpan > 0 {
            plan.stalls.append(Stall(atByte: Int(random.next() % UInt64(byteSpan)), duration: stall))
        }
        if random.nextUnit() < unplugProbability {
            let span = unplugWindow.upperBound.nanoseconds - unplugWindow.lowerBound.nanoseconds
            let at = unplugWindow.lowerBound.nanoseconds + Int64(random.nextUnit() * Double(span))
            plan.unplugs.append(Unplug(at: MonotonicInstant(nanoseconds: at), duration: .milliseconds(500)))
        }
        return plan
    }
}
