#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SceneScript {
    /// A street's worth of random traffic over `duration`, the same for the same seed.
    ///
    /// Gaps between arrivals are exponentially distributed with mean `meanGap`, so objects
    /// sometimes come in quick succession and sometimes not for a long while. About half the
    /// arrivals are people, a third cars and the rest animals; each crosses the whole image,
    /// left to right or right to left, along a sidewalk or road lane (near and large, or far and
    /// small), walking in from outside the image and leaving it. Only appearances that end within
    /// `duration` are kept, so the script can repeat with that period without objects cut short.
    public static func random(seed: UInt64, duration: Duration, meanGap: Duration) -> SceneScript {
        var random = SceneRandom(seed: seed, stream: 0x5C21_97)
        let total = duration.seconds
        let mean = max(meanGap.seconds, 0.1)
        var appearances: [Appearance] = []
        var clock = 0.0
        while true {
            clock += max(0.5, -log(1 - random.unit()) * mean)
            guard clock < total else { break }
            let appearance = randomAppearance(at: clock, &random)
            if appearance.end.seconds <= total { appearances.append(appearance) }
        }
        return SceneScript(appearances)
    }

    /// Where objects of a kind travel: the bottom of the box (normalised y), its height, and
    /// how long a crossing takes, in seconds.
    private struct Lane {
        var bottom: ClosedRange<Double>
        var size: ClosedRange<Double>
        var crossing: ClosedRange<Double>
    }

    private static func lanes(for kind: ObjectKind) -> (near: Lane, far: Lane) {
        switch kind {
        case .person:
            (Lane(bottom: 0.93...0.98, size: 0.30...0.40, crossing: 7...14),
             Lane(bottom: 0.53...0.555, size: 0.12...0.15, crossing: 12...22))
        case .car:
            (Lane(bottom: 0.80...0.82, size: 0.17...0.21, crossing: 2.5...6),
             Lane(bottom: 0.68...0.70, size: 0.12...0.15, crossing: 4...8))
        case .animal:
            (Lane(bottom: 0.93...0.97, size: 0.10...0.14, crossing: 4...10),
             Lane(bottom: 0.54...0.555, size: 0.05...0.07, crossing: 6...12))
        }
    }

    private static func randomAppearance(at start: Double, _ random: inout SceneRandom) -> Appearance {
        let roll = random.unit()
        let kind: ObjectKind = roll < 0.5 ? .person : roll < 0.85 ? .car : .animal
        let pair = lanes(for: kind)
        let lane = random.chance(0.6) ? pair.near : pair.far
        let size = random.uniform(lane.size)
        let centerY = random.uniform(lane.bottom) - size / 2
        let drift = kind == .car ? 0 : random.uniform(-0.015...0.015)
        let halfWidth = size * kind.aspectRatio * 3 / 8 + 0.01
        var (fromX, toX) = (-halfWidth, 1 + halfWidth)
        if random.chance(0.5) { swap(&fromX, &toX) }
        let crossing = random.uniform(lane.crossing)
        return Appearance(
            start: .milliseconds(Int64((start * 1000).rounded())),
            duration: .milliseconds(Int64((crossing * 1000).rounded())), kind: kind,
            from: (fromX, centerY), to: (toX, centerY + drift), size: size)
    }
}
