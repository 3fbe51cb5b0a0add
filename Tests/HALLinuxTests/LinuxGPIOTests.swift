import Glibc
import HAL
import HALLinux
import Testing

/// What works on every Linux system, with or without GPIO.
@Suite struct LinuxGPIOTests {
    @Test func listingChipsNeverFailsForLackOfGPIO() throws {
        let chips = try LinuxGPIO().chips()
        let names = chips.map(\.info.name)
        let numbers = names.compactMap { Int($0.dropFirst("gpiochip".count)) }
        #expect(numbers == numbers.sorted())
    }

    @Test func aDevicesDirectoryThatDoesNotExistHasNoChips() throws {
        #expect(try LinuxGPIO(devicesDirectory: "/nonexistent-vigil-devices").chips().isEmpty)
    }

    @Test func openingAMissingLabelThrowsNotFoundNamingIt() throws {
        let error = #expect(throws: HALError.self) { try LinuxGPIO().chip(.label("nonexistent-chip")) }
        #expect(error?.kind == .notFound)
        #expect(error?.operation == "find-chip-by-label")
        #expect(error?.target == "nonexistent-chip")
        #expect(error?.description.contains("nonexistent-chip") == true)
    }

    @Test func openingAMissingNumberThrowsNotFound() throws {
        let error = #expect(throws: HALError.self) { try LinuxGPIO().chip(.number(4242)) }
        #expect(error?.kind == .notFound)
        #expect(error?.operation == "gpiod_chip_open")
        #expect(error?.target == "gpiochip4242")
        #expect(error?.errno == ENOENT)
    }

    @Test(arguments: ["/dev/gpiochip-vigil-missing", "/dev/null"])
    func openingAPathThatIsNoChipThrowsNotFound(path: String) throws {
        let error = #expect(throws: HALError.self) { try LinuxGPIO().chip(.path(path)) }
        #expect(error?.kind == .notFound)
        #expect(error?.operation == "gpiod_chip_open")
        #expect(error?.target == path)
    }

    @Test func aLabelIsLookedForInAnotherDevicesDirectory() throws {
        let error = #expect(throws: HALError.self) {
            try LinuxGPIO(devicesDirectory: "/nonexistent-vigil-devices/").chip(.label("nonexistent-chip"))
        }
        #expect(error?.kind == .notFound)
        #expect(error?.target == "nonexistent-chip")
    }
}

/// Read-only checks on whatever chips the kernel has; nothing is requested or driven.
@Suite(.enabled(if: GPIOTestEnvironment.hasChips, "needs a GPIO chip (/dev/gpiochip*); this kernel has none"))
struct LinuxGPIOChipTests {
    @Test func everyChipDescribesItselfAndItsLines() throws {
        for chip in try LinuxGPIO().chips() {
            #expect(chip.info.name.hasPrefix("gpiochip"))
            #expect(chip.info.path == "/dev/\(chip.info.name)")
            #expect(chip.info.lineCount > 0)
            let lines = try chip.allLineInfo()
            #expect(lines.map(\.offset) == Array(0..<chip.info.lineCount))
        }
    }

    @Test func aChipOpensByLabelNumberAndPath() throws {
        let gpio = LinuxGPIO()
        let first = try #require(try gpio.chips().first)
        let number = try #require(Int(first.info.name.dropFirst("gpiochip".count)))
        for selector in [ChipSelector.number(number), .path(first.info.path)] {
            #expect(try gpio.chip(selector).info == first.info)
        }
        #expect(try gpio.chip(.label(first.info.label)).info.label == first.info.label)
    }

    @Test func offsetsTheChipDoesNotHaveAreRejected() throws {
        let chip = try #require(try LinuxGPIO().chips().first)
        let beyond = chip.info.lineCount
        let infoError = #expect(throws: HALError.self) { try chip.lineInfo(beyond) }
        #expect(infoError?.kind == .invalidArgument)
        #expect(infoError?.target == "\(chip.info.name):\(beyond)")

        for offsets in [[beyond], [-1], [], [0, 0]] {
            let error = #expect(throws: HALError.self) {
                try chip.requestLines(offsets, settings: .input(), consumer: "vigil-test")
            }
            #expect(error?.kind == .invalidArgument)
            #expect(error?.target?.hasPrefix(chip.info.name) == true)
        }
    }
}
