import ArgumentParser

/// `vigil gpio`: chips and lines, in the spirit of gpioinfo, gpioget, gpioset and gpiomon.
struct GPIOCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio",
        abstract: "Inspect, read, drive and watch GPIO lines.",
        discussion: """
            Lines are named by board role (pir, status-led, ir-led, tamper, camera-power), by \
            kernel name (GPIO17) or as CHIP:OFFSET, where CHIP is a label (pinctrl-bcm2711), a \
            number (0, gpiochip0) or a path (/dev/gpiochip0). Values are logical: active-low \
            lines read 1 when the pin is low.
            """,
        subcommands: [GPIOInfoCommand.self, GPIOGetCommand.self, GPIOSetCommand.self, GPIOMonitorCommand.self]
    )
}

/// A logical line value on the command line: 1/0, on/off, true/false, high/low, active/inactive.
struct LineValue: ExpressibleByArgument, Sendable {
    let value: Bool

    init?(argument: String) {
        switch argument.lowercased() {
        case "1", "on", "true", "high", "active": value = true
        case "0", "off", "false", "low", "inactive": value = false
        default: return nil
        }
    }
}
