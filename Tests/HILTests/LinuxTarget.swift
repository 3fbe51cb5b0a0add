import BoardSupport
import Glibc
import HAL
import HALLinux
import Synchronization

/// `VIGIL_HIL=virtual` and `VIGIL_HIL=board:FILE`: the Linux backend (libgpiod, libserialport)
/// on the kernel's own devices, on real time.
///
/// The outside world differs:
/// - virtual: gpio-sim's sysfs attributes, `sim_gpioN/pull` to drive an input and
///   `sim_gpioN/value` to read an output, for every line;
/// - a real board: a jumper wire from an output to an input, described as
///   `VIGIL_HIL_JUMPER=OUTPUT-ROLE:INPUT-ROLE` (such as `status-led:pir`): the output drives the
///   input, and the input reads the output. Without one, the tests that need the outside world
///   skip.
final class LinuxTarget: HILTarget {
    enum OutsideWorld {
        /// gpio-sim: the sysfs folder of each chip label.
        case gpioSim(sysfs: [String: String])
        /// A jumper wire from an output role to an input role.
        case jumper(output: LogicalLine, input: LogicalLine)
        case none(String)
    }

    let name: String
    let board: BoardDescription
    let outside: OutsideWorld
    let linux = LinuxGPIO()
    /// The jumper's far end while the outside world drives it or reads it.
    private let held = Mutex<(any LineRequest)?>(nil)

    private init(name: String, board: BoardDescription, outside: OutsideWorld) {
        self.name = name
        self.board = board
        self.outside = outside
    }

    deinit { held.withLock { $0?.release() } }

    /// The QEMU guest of Tools/virtual-board, or why this is not it.
    static func virtual(board: BoardDescription) -> Availability<any HILTarget> {
        var sysfs: [String: String] = [:]
        // Found by enumeration, so that a fault in the label lookup under test fails the tests
        // that use it instead of skipping them.
        let present = (try? LinuxGPIO().chips()) ?? []
        for chip in board.chips {
            guard let found = present.first(where: { $0.info.label == chip.label }) else {
                return .unavailable(
                    "VIGIL_HIL=virtual, but there is no GPIO chip labelled '\(chip.label)' here: run the suite "
                        + "in the virtual board (Tools/virtual-board/test)")
            }
            let folder = "/sys/bus/gpio/devices/\(found.info.name)"
            guard access("\(folder)/sim_gpio0/pull", W_OK) == 0 else {
                return .unavailable(
                    "VIGIL_HIL=virtual, but chip '\(chip.label)' is not a gpio-sim chip this process can drive "
                        + "(\(folder)/sim_gpio0/pull is not writable)")
            }
            sysfs[chip.label] = folder
        }
        return .available(LinuxTarget(name: "virtual", board: board, outside: .gpioSim(sysfs: sysfs)))
    }

    /// A real board, with the jumper `VIGIL_HIL_JUMPER` describes, if any.
    static func real(board: BoardDescription, jumper: String?) -> Availability<any HILTarget> {
        let outside: OutsideWorld
        if let jumper, !jumper.isEmpty {
            let ends = jumper.split(separator: ":").map { LogicalLine(rawValue: String($0)) }
            guard ends.count == 2, let output = ends[0], let input = ends[1], output.direction == .output,
                  input.direction == .input, board.lines[output] != nil, board.lines[input] != nil
            else {
                return .unavailable(
                    "VIGIL_HIL_JUMPER='\(jumper)' is not OUTPUT-ROLE:INPUT-ROLE with both roles on board "
                        + "\(board.name) (such as status-led:pir)")
            }
            outside = .jumper(output: output, input: input)
        } else {
            outside = .none(
                "no loopback jumper is described: wire an output to an input and set VIGIL_HIL_JUMPER=OUTPUT:INPUT "
                    + "(such as status-led:pir, GPIO27 to GPIO17 on a Raspberry Pi)")
        }
        let present = ((try? LinuxGPIO().chips()) ?? []).map(\.info.label)
        if let missing = board.chips.first(where: { !present.contains($0.label) }) {
            return .unavailable(
                "this is not a \(board.name): it has no GPIO chip labelled '\(missing.label)' (chips here: "
                    + (present.isEmpty ? "none" : present.joined(separator: ", ")) + ")")
        }
        return .available(LinuxTarget(name: "board \(board.name)", board: board, outside: outside))
    }

    var gpio: any GPIOProvider { linux }
    var clock: any HALClock { SystemClock() }

    var drivableInputs: Availability<[LogicalLine]> {
        switch outside {
        case .gpioSim: .available(LogicalLine.allCases.filter { $0.direction == .input && board.lines[$0] != nil })
        case .jumper(_, let input): .available([input])
        case .none(let reason): .unavailable(reason)
        }
    }

    var observableOutputs: Availability<[LogicalLine]> {
        switch outside {
        case .gpioSim: .available(LogicalLine.allCases.filter { $0.direction == .output && board.lines[$0] != nil })
        case .jumper(let output, _): .available([output])
        case .none(let reason): .unavailable(reason)
        }
    }

    var camera: Availability<BoardCamera> {
        guard board.camera.model == .vc0706 else { return .unavailable("the board's camera is not a VC0706") }
        guard access(board.camera.device, F_OK) == 0 else {
            return .unavailable("there is no serial device \(board.camera.device) for the camera")
        }
        return .available(board.camera)
    }

    func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await body()
    }

    func drive(_ role: LogicalLine, high: Bool) async throws {
        switch outside {
        case .gpioSim(let sysfs):
            let (folder, offset) = try simLine(role, sysfs)
            try writeAttribute("\(folder)/sim_gpio\(offset)/pull", high ? "pull-up" : "pull-down")
        case .jumper(let output, let input):
            guard role == input else { throw HILUnavailable(reason: "only \(input) is wired to an output") }
            try held.withLock { held throws in
                if held == nil {
                    let (chip, offset) = try resolved(output)
                    held = try chip.requestLines([offset], settings: .output(initialValue: high), consumer: "vigil-hil-jumper")
                }
                try held!.setValues([high])
            }
        case .none(let reason):
            throw HILUnavailable(reason: reason)
        }
    }

    func level(of role: LogicalLine) async throws -> Bool {
        switch outside {
        case .gpioSim(let sysfs):
            let (folder, offset) = try simLine(role, sysfs)
            return try readAttribute("\(folder)/sim_gpio\(offset)/value").hasPrefix("1")
        case .jumper(let output, let input):
            guard role == output else { throw HILUnavailable(reason: "only \(output) is wired to an input") }
            let (chip, offset) = try resolved(input)
            let request = try chip.requestLines([offset], settings: .input(), consumer: "vigil-hil-jumper")
            defer { request.release() }
            return try request.values()[0]
        case .none(let reason):
            throw HILUnavailable(reason: reason)
        }
    }

    func withCameraPort(
        _ configuration: SerialConfiguration, _ body: @escaping @Sendable (any SerialPort) async throws -> Void
    ) async throws {
        let port = try await LinuxSerial().open(board.camera.device, configuration: configuration)
        do {
            try await body(port)
        } catch {
            await port.close()
            throw error
        }
        await port.close()
    }

    private func resolved(_ role: LogicalLine) throws -> (chip: any GPIOChip, offset: Int) {
        guard let line = try board.resolve(role, in: linux) else {
            throw HILUnavailable(reason: "board \(board.name) has no \(role) line")
        }
        return line
    }

    private func simLine(_ role: LogicalLine, _ sysfs: [String: String]) throws -> (folder: String, offset: Int) {
        guard let assignment = board.lines[role], let folder = sysfs[assignment.chipLabel] else {
            throw HILUnavailable(reason: "board \(board.name) has no \(role) line")
        }
        return (folder, assignment.offset)
    }
}

/// Writes `text` to a sysfs attribute.
func writeAttribute(_ path: String, _ text: String) throws {
    let descriptor = open(path, O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw HALError.system(errno, operation: "open", target: path) }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    guard write(descriptor, bytes, bytes.count) == bytes.count else {
        throw HALError.system(errno, operation: "write", target: path)
    }
}

/// Reads a sysfs attribute.
func readAttribute(_ path: String) throws -> String {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw HALError.system(errno, operation: "open", target: path) }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = read(descriptor, &buffer, buffer.count)
    guard count >= 0 else { throw HALError.system(errno, operation: "read", target: path) }
    return String(decoding: buffer.prefix(count), as: UTF8.self)
}
