import HAL

/// Maps scene time to frame indices and back for a frame rate (see ``Scene/frameIndex(at:)``).
struct FrameClock: Sendable {
    /// How far before its exact start a frame is already shown.
    static let tolerance: Double = 1_000  // nanoseconds

    let frameRate: Double

    /// The rate used: at least one frame in ten seconds, whatever the scene says.
    private var rate: Double { frameRate.isFinite ? max(frameRate, 0.1) : 0.1 }

    func index(at time: MonotonicInstant) -> Int {
        let frames = ((Double(time.nanoseconds) + Self.tolerance) * rate / 1e9).rounded(.down)
        return frames <= 0 ? 0 : Int(min(frames, Double(Int32.max)))
    }

    func start(of index: Int) -> MonotonicInstant {
        // Capped below Int64.max, the end of any timeline.
        MonotonicInstant(nanoseconds: Int64(min((Double(max(index, 0)) * 1e9 / rate).rounded(), 9e18)))
    }
}
