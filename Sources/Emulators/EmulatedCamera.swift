import HAL
import Scenes

/// The test-side ("backend") controls every emulated camera offers, whatever its protocol,
/// so one test suite can run against every model.
///
/// The bus side of an emulator is its serial port: bytes in, bytes out, as on the module's
/// UART. These controls are what a test bench can do to the module from outside.
public protocol EmulatedCamera: AnyObject, Sendable {
    /// The model, such as `vc0706`.
    var model: String { get }

    /// Runs the firmware until the task is cancelled.
    func run() async

    /// Whether the module has power.
    var isPowered: Bool { get }

    /// Cuts or restores the module's power. Power-up boots the firmware afresh (default baud,
    /// default registers, the boot banner where the model prints one).
    func setPower(_ on: Bool)

    /// A brief supply dip: the firmware restarts as from power-up, and the bytes it was
    /// sending are cut short.
    func brownOut()

    /// Makes the scene show motion for `duration` from now, whatever it contains.
    func injectMotion(for duration: Duration)

    /// Corrupts one byte of the next reply (in the image data, for an image transfer).
    func corruptNextReply()

    /// Sends nothing for the next request.
    func dropNextReply()

    /// Replaces what the camera sees.
    func replaceScene(_ scene: any Scene)

    /// Called with each request received and each reply sent, for `--trace`.
    func setTrace(_ trace: (@Sendable (EmulatorTrace) -> Void)?)
}

extension EmulatedCamera {
    /// Power off, wait `offTime` on `clock`, power on.
    public func powerCycle(offTime: Duration = .milliseconds(500), clock: any HALClock) async throws {
        setPower(false)
        try await clock.sleep(for: offTime)
        setPower(true)
    }
}

/// One line of an emulator's trace.
public struct EmulatorTrace: Sendable, CustomStringConvertible {
    public enum Direction: String, Sendable { case received = "<-", sent = "->", event = "**" }
    public var time: MonotonicInstant
    public var direction: Direction
    public var text: String

    public var description: String { "\(time) \(direction.rawValue) \(text)" }
}
