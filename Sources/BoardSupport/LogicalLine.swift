import HAL

/// The role a GPIO line plays on a Vigil camera node. A board file maps each role to a
/// physical line (or to `none` when the board lacks that peripheral).
///
/// The role fixes the line's direction: ``pir`` and ``tamper`` are inputs watched on both
/// edges; ``statusLED``, ``irLED`` and ``cameraPower`` are outputs.
public enum LogicalLine: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable,
    CustomStringConvertible
{
    /// The passive-infrared motion sensor's output (input).
    case pir
    /// The status LED (output).
    case statusLED = "status-led"
    /// The infrared illuminator (output).
    case irLED = "ir-led"
    /// The enclosure's tamper switch (input).
    case tamper
    /// The switch that powers the camera module (output; on when requested).
    case cameraPower = "camera-power"

    /// Whether the line is read (sensors) or driven (LEDs, power).
    public var direction: LineDirection {
        switch self {
        case .pir, .tamper: .input
        case .statusLED, .irLED, .cameraPower: .output
        }
    }

    /// What the line is connected to, for messages: "PIR motion sensor", "tamper switch", ...
    public var peripheral: String {
        switch self {
        case .pir: "PIR motion sensor"
        case .statusLED: "status LED"
        case .irLED: "IR illuminator"
        case .tamper: "tamper switch"
        case .cameraPower: "camera power switch"
        }
    }

    /// The name used in board files, such as `status-led`.
    public var description: String { rawValue }
}
