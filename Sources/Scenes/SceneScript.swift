import HAL

/// The moving objects of a synthetic scene: a list of ``Appearance``s, optionally repeating.
///
/// Object ids are the appearance's index in `appearances`; when the script repeats, cycle `c`
/// adds `c * appearances.count`, so every pass of an object has an id of its own.
public struct SceneScript: Sendable, Hashable {
    public var appearances: [Appearance]
    /// If set, the script starts over every `period` (appearances running past the end of a
    /// period carry on into the next).
    public var period: Duration?

    public init(_ appearances: [Appearance] = [], repeatingEvery period: Duration? = nil) {
        self.appearances = appearances
        self.period = period.flatMap { $0 > .zero ? $0 : nil }
    }

    /// Nothing ever moves.
    public static let empty = SceneScript()

    /// An object in place at some time: the appearance, its id, how far through it is, and
    /// its box, not clipped to the image.
    struct Placement {
        var appearance: Appearance
        var id: Int
        var progress: Double
        var box: (x: Double, y: Double, width: Double, height: Double)
    }

    /// Every object present at `time`, unclipped, including those wholly out of view.
    func placements(at time: MonotonicInstant) -> [Placement] {
        let elapsed = Duration.nanoseconds(max(time.nanoseconds, 0))
        var cycle: Int64 = 0
        var offset = elapsed
        if let period, period > .zero {
            let periodNanoseconds = period.nanoseconds
            cycle = elapsed.nanoseconds / periodNanoseconds
            offset = .nanoseconds(elapsed.nanoseconds % periodNanoseconds)
        }
        var placed: [Placement] = []
        // The current pass and, for appearances overrunning a period, the previous one.
        for back in (cycle > 0 ? [Int64(0), 1] : [0]) {
            let local = back == 0 ? offset : offset + (period ?? .zero)
            let firstID = Int(cycle - back) * appearances.count
            for (index, appearance) in appearances.enumerated() {
                guard let progress = appearance.progress(at: local) else { continue }
                placed.append(
                    Placement(
                        appearance: appearance, id: firstID + index, progress: progress,
                        box: appearance.box(at: progress)))
            }
        }
        return placed
    }

    /// The objects in view at `time`, boxes clipped to the image; objects wholly outside it
    /// are left out.
    public func objects(at time: MonotonicInstant) -> [SceneObject] {
        placements(at: time).compactMap { placement in
            let box = placement.box
            let left = max(box.x, 0)
            let top = max(box.y, 0)
            let right = min(box.x + box.width, 1)
            let bottom = min(box.y + box.height, 1)
            guard right > left, bottom > top else { return nil }
            return SceneObject(
                id: placement.id, kind: placement.appearance.kind.rawValue, x: left, y: top,
                width: right - left, height: bottom - top)
        }
    }
}
