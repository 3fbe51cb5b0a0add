import ArgumentParser
import HALLinux

/// The `vigil` command: a camera node's controller.
public struct VigilCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Run and inspect a Vigil camera node: boards, serial ports and GPIO.",
        discussion: """
            Every command works on a board: a real one (--board raspberry-pi-4b) or the simulated \
            node (--board sim, the default), which has an emulated camera, PIR sensor, LEDs and \
            tamper switch on virtual time. Lines are named by role (pir, status-led, ir-led, \
            tamper, camera-power), by kernel name (GPIO17) or as CHIP:OFFSET.
            """,
        version: "0.1.0 (libgpiod \(Libgpiod.version), \(Libgpiod.api) API)",
        subcommands: [RecordCommand.self, StatusCommand.self, TriggerCommand.self, EventsCommand.self, SnapshotCommand.self, ProbeCommand.self, CameraCommand.self, EmulateCommand.self, BoardsCommand.self, PortsCommand.self, GPIOCommand.self, HTTPCommand.self, FleetCommand.self]
    )

    /// Global options given before the subcommand (`vigil --board sim gpio info`).
    @OptionGroup var globals: GlobalOptions

    public init() {}
}
