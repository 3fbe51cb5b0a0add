/// A moving object in view: its identity, what it is, and its bounding box in normalised
/// coordinates: `x`, `y` is the top-left corner, (0, 0) the image's top left and (1, 1) its
/// bottom right; `width` and `height` are fractions of the image's width and height.
public struct SceneObject: Sendable, Hashable {
    /// Stable for the object's whole appearance.
    public var id: Int
    /// `person`, `car`, `animal` (see ``ObjectKind``), or `motion` for movement a
    /// ``DirectoryScene`` detected.
    public var kind: String
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(id: Int, kind: String, x: Double, y: Double, width: Double, height: Double) {
        self.id = id
        self.kind = kind
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The centre of the box.
    public var center: (x: Double, y: Double) { (x + width / 2, y + height / 2) }
    /// The box's area as a fraction of the image.
    public var area: Double { width * height }
}
