import CGPIOD
import Files
import HAL

/// The GPIO chips of a Linux system: the character devices `gpiochipN`, driven through
/// libgpiod (the v1 or v2 API, whichever Vigil was built against: see ``Libgpiod``).
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
            chips.append(try LinuxGPIOChip.open(path: "\(devicesDirectory)/gpiochip\(number)"))
        }
        return chips
    }

    /// Opens the chip with the given device path, number (`gpiochipN` in
    /// ``devicesDirectory``) or label (the first of ``chips()`` that has it; neither libgpiod
    /// API looks labels up the same way, and v2 not at all). Throws ``HALError/Kind/notFound``
    /// naming the selector if there is no such chip.
    public func chip(_ selector: ChipSelector) throws(HALError) -> any GPIOChip {
        switch selector {
        case .path(let path):
            return try LinuxGPIOChip.open(path: path)
        case .number(let number):
            guard number >= 0 else {
                throw HALError(.notFound, operation: "gpiod_chip_open", target: selector.description, message: "no such GPIO chip")
            }
            return try LinuxGPIOChip.open(path: "\(devicesDirectory)/gpiochip\(number)", target: selector.description)
        case .label(let label):
            guard let chip = try chips().first(where: { $0.info.label == label }) else {
                throw HALError(.notFound, operation: "find-chip-by-label", target: label, message: "no such GPIO chip")
            }
            return chip
        }
    }

    /// N for a device named `gpiochipN`; nil for anything else.
    private static func chipNumber(_ name: String) -> Int? {
        guard name.hasPrefix("gpiochip") else { return nil }
        let digits = name.dropFirst("gpiochip".count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }
}
