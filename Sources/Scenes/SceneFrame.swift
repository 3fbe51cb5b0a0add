import HAL

/// One frame of a scene: its index (0 at the scene's start), the time it starts, and the
/// complete baseline JPEG stream (FF D8 ... FF D9).
public struct SceneFrame: Sendable, Hashable {
    public var index: Int
    public var time: MonotonicInstant
    public var jpeg: [UInt8]

    public init(index: Int, time: MonotonicInstant, jpeg: [UInt8]) {
        self.index = index
        self.time = time
        self.jpeg = jpeg
    }
}
