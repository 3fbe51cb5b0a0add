/// What a scripted moving object is; ``SceneObject/kind`` carries the raw value.
public enum ObjectKind: String, Sendable, Hashable, CaseIterable, Codable {
    case person, car, animal

    /// Width over height of the object's box in pixels, on a 4:3 image.
    public var aspectRatio: Double {
        switch self {
        case .person: 0.42
        case .car: 2.3
        case .animal: 1.5
        }
    }
}
