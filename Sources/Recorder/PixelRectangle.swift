/// A rectangle in full-frame pixel coordinates: `x` columns from the left, `y` rows from the
/// top, `width` by `height` pixels. Used for motion mask regions and the bounding box of a
/// change.
public struct PixelRectangle: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Whether this rectangle and `[left, right) x [top, bottom)` share at least one pixel.
    func overlaps(left: Int, top: Int, right: Int, bottom: Int) -> Bool {
        x < right && left < x + width && y < bottom && top < y + height
    }

    /// `WxH+X+Y`, as X11 geometry writes it.
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
