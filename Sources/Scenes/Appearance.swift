extension SceneScript {
    /// One object crossing the scene: it appears at `start`, moves in a straight line at
    /// constant speed with its box centred on `from` and then `to`, and is gone at
    /// `start + duration`.
    ///
    /// It is present for scene times in `start ..< start + duration`. Its box is `size` high
    /// (a fraction of the image height) and as wide as its kind's ``ObjectKind/aspectRatio``
    /// makes it on a 4:3 image. Points outside 0...1 put the object (partly) out of view, which
    /// is how objects walk in from the edge.
    public struct Appearance: Sendable, Hashable, Codable {
        public var start: Duration
        public var duration: Duration
        public var kind: ObjectKind
        /// The centre of the box at `start`.
        public var from: ScenePoint
        /// The centre of the box at `start + duration`.
        public var to: ScenePoint
        /// The box's height as a fraction of the image height.
        public var size: Double

        public init(
            start: Duration, duration: Duration, kind: ObjectKind, from: (x: Double, y: Double),
            to: (x: Double, y: Double), size: Double
        ) {
            self.start = start
            self.duration = duration
            self.kind = kind
            self.from = ScenePoint(x: from.x, y: from.y)
            self.to = ScenePoint(x: to.x, y: to.y)
            self.size = size
        }

        /// The end of the appearance: it is gone from this time on.
        public var end: Duration { start + duration }

        /// The box's width as a fraction of the image width.
        public var width: Double { size * kind.aspectRatio * 3 / 4 }

        /// Whether the object moves towards larger `x`.
        public var movesRight: Bool { to.x >= from.x }

        /// How far through the appearance `offset` (time since the script's start) is, 0..<1,
        /// or nil when the object is not present then.
        public func progress(at offset: Duration) -> Double? {
            guard duration > .zero, offset >= start, end > offset else { return nil }
            return (offset - start).seconds / duration.seconds
        }

        /// The unclipped box (x, y of the top-left corner, width, height) at `progress`.
        public func box(at progress: Double) -> (x: Double, y: Double, width: Double, height: Double) {
            let center = from.interpolated(to: to, progress)
            return (center.x - width / 2, center.y - size / 2, width, size)
        }
    }
}
