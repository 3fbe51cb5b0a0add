import Glibc
import HAL
import HALLinux

/// What GPIO hardware the machine running the tests has.
enum GPIOTestEnvironment {
    /// Whether the kernel exposes any GPIO chip.
    static let hasChips = !((try? LinuxGPIO().chips()) ?? []).isEmpty

    /// The first gpio-sim chip, whose lines the tests may drive and whose inputs they can
    /// move through sysfs; nil on a machine without one.
    static var simulatedChip: (any GPIOChip)? {
        ((try? LinuxGPIO().chips()) ?? []).first { access(pullPath(chip: $0.info.name, offset: 0), W_OK) == 0 }
    }

    static let hasSimulatedChip = simulatedChip != nil

    /// The sysfs attribute through which gpio-sim pulls a line up or down.
    static func pullPath(chip: String, offset: Int) -> String {
        "/sys/bus/gpio/devices/\(chip)/sim_gpio\(offset)/pull"
    }

    /// The sysfs attribute through which gpio-sim shows the level a line is at.
    static func valuePath(chip: String, offset: Int) -> String {
        "/sys/bus/gpio/devices/\(chip)/sim_gpio\(offset)/value"
    }

    /// Pulls a simulated input line up (`true`) or down.
    static func pull(chip: String, offset: Int, up: Bool) throws {
        try writeAttribute(pullPath(chip: chip, offset: offset), up ? "pull-up" : "pull-down")
    }

    /// The physical level of a simulated line.
    static func level(chip: String, offset: Int) throws -> Bool {
        try readAttribute(valuePath(chip: chip, offset: offset)).hasPrefix("1")
    }

    private static func writeAttribute(_ path: String, _ text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw HALError.system(errno, operation: "open", target: path) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw HALError.system(errno, operation: "write", target: path)
        }
    }

    private static func readAttribute(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw HALError.system(errno, operation: "open", target: path) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(descriptor, &buffer, buffer.count)
        guard count >= 0 else { throw HALError.system(errno, operation: "read", target: path) }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}
