import HAL
import HALSimulation
import Scenes

/// An emulated passive-infrared motion sensor (HC-SR501 style) watching a scene and driving
/// a simulated GPIO line.
///
/// The output goes active when an object of the scene enters the detection zone, and stays
/// active for ``holdTime`` after the last detection when ``retrigger`` is on (the jumper's
/// "H" position), or for exactly ``holdTime`` when it is off ("L"). After going inactive the
/// sensor ignores motion for ``blockTime``, as the real part does.
public struct PIRSensor: Sendable, Hashable {
    /// The detection zone, in the scene's normalised coordinates.
    public var zoneX = 0.0, zoneY = 0.0, zoneWidth = 1.0, zoneHeight = 1.0
    public var holdTime: Duration
    public var retrigger: Bool
    public var blockTime: Duration
    /// How often the sensor looks at the scene.
    public var sampleInterval: Duration
    /// Whether the output is high (true) or low (false) while motion is reported.
    public var activeLevel: Bool

    public init(
        holdTime: Duration = .seconds(4), retrigger: Bool = true, blockTime: Duration = .milliseconds(2500),
        sampleInterval: Duration = .milliseconds(100), activeLevel: Bool = true
    ) {
        self.holdTime = holdTime
        self.retrigger = retrigger
        self.blockTime = blockTime
        self.sampleInterval = sampleInterval
        self.activeLevel = activeLevel
    }

    /// Whether an object of `scene` is in the zone at `time`.
    public func sees(_ scene: any Scene, at time: MonotonicInstant) -> Bool {
        scene.objects(at: time).contains { object in
            object.x < zoneX + zoneWidth && object.x + object.width > zoneX
                && object.y < zoneY + zoneHeight && object.y + object.height > zoneY
        }
    }

    /// Drives `offset` of `chip` from what `scene()` shows, until the task is cancelled.
    /// `scene` is asked each sample, so a replaced scene takes effect at once.
    public func run(watching scene: @Sendable () -> any Scene, chip: SimulatedGPIOChip, offset: Int, clock: VirtualClock) async {
        var active = false
        var activeUntil = MonotonicInstant.zero
        var blockedUntil = MonotonicInstant.zero
        chip.drive(offset, to: !activeLevel)
        defer { chip.drive(offset, to: !activeLevel) }
        var next = clock.now
        while true {
            let now = next
            let detected = now >= blockedUntil && sees(scene(), at: now)
            if active {
                if detected && retrigger { activeUntil = now.advanced(by: holdTime) }
                if now >= activeUntil {
                    active = false
                    blockedUntil = now.advanced(by: blockTime)
                    chip.drive(offset, to: !activeLevel)
                }
            } else if detected {
                active = true
                activeUntil = now.advanced(by: holdTime)
                chip.drive(offset, to: activeLevel)
            }
            next = now.advanced(by: sampleInterval)
            do { try await clock.sleep(until: next) } catch { return }
        }
    }
}
