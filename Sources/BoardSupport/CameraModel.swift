/// The serial JPEG camera modules Vigil drives.
public enum CameraModel: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// VC0706-based modules (Adafruit TTL serial JPEG camera and clones).
    case vc0706
    /// OV528-protocol modules (Grove serial camera and clones).
    case ov528
    /// 4D Systems uCAM-III.
    case ucam3

    /// The name used in board files, such as `vc0706`.
    public var description: String { rawValue }
}
