import CGPIOD
import HAL

/// The GPIO chips of a Linux system: the character devices `gpiochipN`, driven through
/// libgpiod 1.6.
///
/// A system without GPIO (no `gpiochip*` devices, or no devices directory at all) simply has
/// no chips: ``chips()`` returns [] and ``chip(_:)`` throws ``HALError/Kind/notFound``.
public struct LinuxGPIO: GPIOProvider {
    /// Where the chip devices are; `/dev` on a real system.
    public let devicesDirectory: String

    public init(devicesDirectory: String = "/dev") {
        let trimmed = devicesDirectory.count > 1 && devicesDirectory.hasSuffix("/")
        self.devicesDirectory = trimmed ? String(devicesDirectory.dropLast()) : devicesDirectory
    }

    /// Every chip in ``devicesDirectory``, in number order (`gpiochip2` before `gpiochip10`).
    /// Throws if a chip exists but cannot be opened (permissions, say).
    public func chips() throws(HALError) -> [any GPIOChip] {
        let numbers = (try FileSystem.entries(of: devicesDirectory) ?? []).compactMap(Self.chipNumber).sorted()
        var chips: [any GPIOChip] = []
        for number in numbers {
            let path = "\(devicesDirectory)/gpiochip\(number)"
            chips.append(try openChip("gpiod_chip_open", target: path, path: path) { gpiod_chip_open(path) })
        }
        return chips
    }

    /// Opens the chip with the given label (`gpiod_chip_open_by_label`), device path
    /// (`gpiod_chip_open`) or number (`gpiod_chip_open_by_number`). Throws
    /// ``HALError/Kind/notFound`` naming the call and the selector if there is no such chip.
    ///
    /// libgpiod looks for labels and numbers in `/dev` only; with another
    /// ``devicesDirectory`` a number is opened by path there and a label is looked for among
    /// ``chips()``.
    public func chip(_ selector: ChipSelector) throws(HALError) -> any GPIOChip {
        let target = selector.description
        let inSystemDirectory = devicesDirectory == "/dev"
        switch selector {
        case .path(let path):
            return try openChip("gpiod_chip_open", target: target, path: path) { gpiod_chip_open(path) }
        case .number(let number):
            guard let chipNumber = UInt32(exactly: number) else {
                throw HALError(
                    .notFound, operation: "gpiod_chip_open_by_number", target: target, message: "no such GPIO chip")
            }
            if inSystemDirectory {
                return try openChip("gpiod_chip_open_by_number", target: target) {
                    gpiod_chip_open_by_number(chipNumber)
                }
            }
            return try chip(.path("\(devicesDirectory)/gpiochip\(chipNumber)"))
        case .label(let label):
            if inSystemDirectory {
                return try openChip("gpiod_chip_open_by_label", target: target) { gpiod_chip_open_by_label(label) }
            }
            guard let chip = try chips().first(where: { $0.info.label == label }) else {
                throw HALError(.notFound, operation: "find-chip-by-label", target: target, message: "no such GPIO chip")
            }
            return chip
        }
    }

    private func openChip(
        _ operation: String, target: String, path: String? = nil, _ open: () -> OpaquePointer?
    ) throws(HALError) -> LinuxGPIOChip {
        try LinuxGPIOChip.open(operation, target: target, path: path, devicesDirectory: devicesDirectory, open)
    }

    /// N for a device named `gpiochipN`; nil for anything else.
    private static func chipNumber(_ name: String) -> Int? {
        guard name.hasPrefix("gpiochip") else { return nil }
        let digits = name.dropFirst("gpiochip".count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }
}
