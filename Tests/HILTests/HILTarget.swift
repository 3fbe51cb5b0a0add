import BoardSupport
import Foundation
import HAL
import Testing

/// The hardware-in-the-loop suite: one set of tests for the target `VIGIL_HIL` chooses (see
/// ``HILSelection``). Serialized, nested suites included: the tests share the board's lines and
/// its one camera, and a guest under software emulation keeps its timing best one test at a time.
@Suite("Hardware in the loop", .serialized)
struct HardwareInTheLoop {}

/// The hardware a hardware-in-the-loop test runs against, and the outside world's hands on it.
///
/// The same tests run on every target; only this protocol differs. The outside world is what a
/// sensor, a jumper wire or a meter would be: it drives input lines and reads output lines
/// without going through the backend under test.
protocol HILTarget: Sendable {
    /// For messages: `sim`, `virtual`, `board raspberry-pi-5`.
    var name: String { get }
    /// The board the target is.
    var board: BoardDescription { get }
    /// The GPIO backend under test.
    var gpio: any GPIOProvider { get }
    /// The clock the backend stamps edges with and measures deadlines on.
    var clock: any HALClock { get }

    /// The input roles the outside world can drive, and why there are none if there are none.
    var drivableInputs: Availability<[LogicalLine]> { get }
    /// The output roles the outside world can read, and why there are none if there are none.
    var observableOutputs: Availability<[LogicalLine]> { get }
    /// Whether the camera is there to be talked to.
    var camera: Availability<BoardCamera> { get }

    /// Runs one test's body on the target's time: virtual time in simulation, real time
    /// otherwise.
    func run(_ body: @escaping @Sendable () async throws -> Void) async throws

    /// Drives the line of `role` from outside: pulls it high (`true`) or low.
    func drive(_ role: LogicalLine, high: Bool) async throws

    /// The physical level of the line of `role`, read from outside (high = `true`).
    func level(of role: LogicalLine) async throws -> Bool

    /// Opens the camera's serial port at `configuration` with the camera alive on the other
    /// end, hands it to `body`, and closes it afterwards. Call inside ``run(_:)``.
    func withCameraPort(
        _ configuration: SerialConfiguration, _ body: @escaping @Sendable (any SerialPort) async throws -> Void
    ) async throws
}

/// Something a target has, or the reason it does not.
enum Availability<Value: Sendable>: Sendable {
    case available(Value)
    case unavailable(String)

    /// The value; nil when unavailable.
    var value: Value? {
        if case .available(let value) = self { return value }
        return nil
    }

    /// Why it is unavailable; nil when available.
    var reason: String? {
        if case .unavailable(let reason) = self { return reason }
        return nil
    }
}

/// Which target `VIGIL_HIL` chooses: `sim` (the default), `virtual` (the QEMU guest of
/// Tools/virtual-board) or `board:FILE` (a real board, FILE a board file or a board's name).
enum HILSelection: Sendable, Equatable, CustomStringConvertible {
    case sim
    case virtual
    case board(String)
    case invalid(String)

    init(environment: [String: String]) {
        let value = environment["VIGIL_HIL"]?.trimmingCharacters(in: .whitespaces) ?? ""
        switch value {
        case "", "sim": self = .sim
        case "virtual": self = .virtual
        default:
            if value.hasPrefix("board:"), value.count > 6 {
                self = .board(String(value.dropFirst(6)))
            } else {
                self = .invalid("VIGIL_HIL='\(value)' is not sim, virtual or board:FILE")
            }
        }
    }

    var description: String {
        switch self {
        case .sim: "sim"
        case .virtual: "virtual"
        case .board(let file): "board:\(file)"
        case .invalid(let message): message
        }
    }
}

/// The target the suite runs against, made once per test so that no state leaks between tests.
enum HIL {
    static let environment = ProcessInfo.processInfo.environment
    static let selection = HILSelection(environment: environment)

    /// The repository's Boards/ folder (the test runs from the build of this checkout, on the
    /// host or in the virtual board's guest, which sees the host's files at the same paths).
    static let boardsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Boards").path

    /// A fresh target as `VIGIL_HIL` chooses, or the reason there is none.
    static func makeTarget() -> Availability<any HILTarget> {
        do {
            switch selection {
            case .sim:
                return .available(try SimulatedTarget(board: BoardLoader.load(path: "\(boardsDirectory)/sim.yaml")))
            case .virtual:
                let path = environment["VIGIL_VIRTUAL_BOARD"] ?? "\(boardsDirectory)/virtual-board.yaml"
                return LinuxTarget.virtual(board: try BoardLoader.load(path: path))
            case .board(let file):
                let catalog = BoardCatalog(searchDirectories: [boardsDirectory] + BoardCatalog().searchDirectories)
                return LinuxTarget.real(board: try catalog.load(nameOrPath: file), jumper: environment["VIGIL_HIL_JUMPER"])
            case .invalid(let message):
                return .unavailable(message)
            }
        } catch {
            return .unavailable("VIGIL_HIL=\(selection): \(error)")
        }
    }

    /// What is wrong with `VIGIL_HIL` itself (an unknown target, a board file that does not
    /// load), as opposed to a target that is simply not attached; nil if nothing.
    static var configurationError: String? {
        switch selection {
        case .invalid(let message): return message
        case .sim, .virtual: return nil
        case .board(let file):
            let catalog = BoardCatalog(searchDirectories: [boardsDirectory] + BoardCatalog().searchDirectories)
            do {
                _ = try catalog.load(nameOrPath: file)
                return nil
            } catch {
                return "VIGIL_HIL=\(selection): \(error)"
            }
        }
    }

    /// The target made for the test now running; records an issue if there is none (the
    /// traits below skip tests on an absent target before they get here).
    static func target() throws -> any HILTarget {
        switch makeTarget() {
        case .available(let target): return target
        case .unavailable(let reason): throw HILUnavailable(reason: reason)
        }
    }

    /// What the chosen target can do, probed once when the tests are planned.
    static let probe: Availability<any HILTarget> = makeTarget()

    /// Why the GPIO tests cannot run; nil if they can.
    static var gpioUnavailable: String? { probe.reason }
    /// Why the tests that drive inputs from outside cannot run; nil if they can.
    static var inputsUnavailable: String? { probe.reason ?? probe.value?.drivableInputs.reason }
    /// Why the tests that read outputs from outside cannot run; nil if they can.
    static var outputsUnavailable: String? { probe.reason ?? probe.value?.observableOutputs.reason }
    /// Why the camera tests cannot run; nil if they can.
    static var cameraUnavailable: String? { probe.reason ?? probe.value?.camera.reason }
}

/// The chosen target is absent.
struct HILUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { "hardware-in-the-loop target unavailable: \(reason)" }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `reason` is nil, and otherwise skips it saying why.
    static func needs(_ reason: @autoclosure @escaping @Sendable () -> String?) -> Self {
        .enabled(if: reason() == nil, Comment(rawValue: reason() ?? ""))
    }
}
