/// A point in normalised image coordinates: (0, 0) is the top left, (1, 1) the bottom right.
public struct ScenePoint: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// The point `fraction` (0...1) of the way to `other`.
    public func interpolated(to other: ScenePoint, _ fraction: Double) -> ScenePoint {
        ScenePoint(x: x + (other.x - x) * fraction, y: y + (other.y - y) * fraction)
    }
}
