/// A rectangle in full-frame pixel coordinates: `x` columns from the left, `y` rows from the
/// top, `width` by `height` pixels. Used for motion mask regions and the bounding box of a
/// change.
public struct PixelRectangle: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    /// The largest coordinate a rectangle from outside (a configuration file, say) may reach:
    /// no camera a node drives has a frame wider or taller than this.
    public static let maximumCoordinate = 65_535

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// A rectangle from outside, checked before any arithmetic on it: nil unless `x` and `y`
    /// are zero or more, `width` and `height` above zero, and the right and bottom edges at
    /// most ``maximumCoordinate``.
    public init?(checkedX x: Int, y: Int, width: Int, height: Int) {
        let limit = Self.maximumCoordinate
        guard (0...limit).contains(x), (0...limit).contains(y), (1...limit).contains(width), (1...limit).contains(height),
            width <= limit - x, height <= limit - y
        else { return nil }
        self.init(x: x, y: y, width: width, height: height)
    }

    /// Whether the rectangle is one ``init(checkedX:y:width:height:)`` accepts.
    public var isWithinLimits: Bool {
        PixelRectangle(checkedX: x, y: y, width: width, height: height) != nil
    }

    /// Whether this rectangle and `[left, right) x [top, bottom)` share at least one pixel.
    /// Saturating: a rectangle whose edge lies beyond `Int.max` cannot overflow.
    func overlaps(left: Int, top: Int, right: Int, bottom: Int) -> Bool {
        let (rightEdge, rightOverflow) = x.addingReportingOverflow(width)
        let (bottomEdge, bottomOverflow) = y.addingReportingOverflow(height)
        return x < right && (rightOverflow || left < rightEdge) && y < bottom && (bottomOverflow || top < bottomEdge)
    }

    /// `WxH+X+Y`, as X11 geometry writes it.
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
