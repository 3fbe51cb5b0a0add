import ArgumentParser
import HAL
import Node

/// `vigil ports`: the serial ports the backend can see.
struct PortsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ports",
        abstract: "List serial ports with their transport and USB details.",
        discussion: "On Linux: every port libserialport finds, with its stable /dev/serial/by-id/ name where udev made one. On the simulated board: the camera's link.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let context = try NodeHardware(options: options)
        let ports = try context.serial.ports()
        if options.json { return try Output.json(ports) }
        if ports.isEmpty {
            print("no serial ports found")
            return
        }
        Output.table([["PORT", "TRANSPORT", "USB", "DESCRIPTION", "STABLE NAME"]] + ports.map { port in
            let usb = port.usbVendorID.map { vendor in
                hex(vendor) + ":" + (port.usbProductID.map(hex) ?? "????")
            } ?? "-"
            let about = [port.manufacturer, port.product, port.description, port.serialNumber.map { "s/n \($0)" }]
                .compactMap { $0 }.joined(separator: ", ")
            return [port.path, port.transport.rawValue, usb, about.isEmpty ? "-" : about, port.stablePath ?? "-"]
        })
    }

    private func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
