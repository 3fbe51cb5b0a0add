import CSerialPort
import Files
import HAL

/// The serial ports of a Linux system.
///
/// ``ports()`` lists what libserialport finds, with the stable `/dev/serial/by-id/` name of
/// each where udev made one.
///
/// ``open(_:configuration:)`` validates the configuration, throws ``HALError/Kind/notFound``
/// naming the path if nothing exists there, and otherwise opens the device with
/// libserialport (``LinuxSerialPort`` with ``LinuxSerialPort/Driver/libserialport``). When libserialport cannot drive the device, because it
/// has no `/sys/class/tty` entry (`sp_get_port_by_name` fails) or lacks modem-control lines
/// (`sp_open` fails with `ENOTTY`), as happens for pseudo-terminals such as `/dev/pts/N`, it
/// falls back automatically to plain termios (``LinuxSerialPort/Driver/termios``). Either way the port is
/// raw, with the flow control asked for set explicitly.
public struct LinuxSerial: SerialProvider {
    /// Where udev keeps stable names for serial devices.
    static let stableNamesDirectory = "/dev/serial/by-id"

    public init() {}

    /// Every port libserialport finds (`sp_list_ports`): path, transport, description, and
    /// for USB adapters the vendor and product IDs, manufacturer, product and serial number.
    /// An empty list if there are none.
    public func ports() throws(HALError) -> [SerialPortDescription] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        try serialPortCall("sp_list_ports", target: nil) { sp_list_ports(&list) }
        guard let list else { return [] }
        defer { sp_free_port_list(list) }

        let stablePaths = try stablePathsByDevice()
        var descriptions: [SerialPortDescription] = []
        var index = 0
        while let port = list[index] {
            index += 1
            guard let path = String(optionalCString: sp_get_port_name(port)) else { continue }
            var description = SerialPortDescription(
                path: path, stablePath: FileSystem.resolvedPath(path).flatMap { stablePaths[$0] },
                transport: transport(of: port), description: String(optionalCString: sp_get_port_description(port)))
            if description.transport == .usb { addUSBDetails(of: port, to: &description) }
            descriptions.append(description)
        }
        return descriptions
    }

    /// Opens the port at `path`: through libserialport, or through termios where
    /// libserialport cannot drive the device (see the type's documentation).
    public func open(_ path: String, configuration: SerialConfiguration) async throws(HALError) -> any SerialPort {
        try configuration.validate(target: path)
        guard FileSystem.exists(path) else {
            throw HALError(.notFound, operation: "open", target: path, message: "no such serial device")
        }
        do {
            return try LinuxSerialPort(path: path, configuration: configuration, driver: .libserialport)
        } catch where error.kind == .unsupported {
            return try LinuxSerialPort(path: path, configuration: configuration, driver: .termios)
        }
    }

    /// The `/dev/serial/by-id/` entries keyed by the device each resolves to; the first
    /// name in sorted order where several lead to one device.
    private func stablePathsByDevice() throws(HALError) -> [String: String] {
        var paths: [String: String] = [:]
        for entry in try FileSystem.entries(of: Self.stableNamesDirectory) ?? [] {
            let stablePath = "\(Self.stableNamesDirectory)/\(entry)"
            if let device = FileSystem.resolvedPath(stablePath), paths[device] == nil {
                paths[device] = stablePath
            }
        }
        return paths
    }

    private func transport(of port: OpaquePointer) -> SerialPortDescription.Transport {
        switch sp_get_port_transport(port) {
        case SP_TRANSPORT_NATIVE: .native
        case SP_TRANSPORT_USB: .usb
        case SP_TRANSPORT_BLUETOOTH: .bluetooth
        default: .unknown
        }
    }

    private func addUSBDetails(of port: OpaquePointer, to description: inout SerialPortDescription) {
        var vendorID: Int32 = 0
        var productID: Int32 = 0
        let path = description.path
        do {
            try serialPortCall("sp_get_port_usb_vid_pid", target: path) {
                sp_get_port_usb_vid_pid(port, &vendorID, &productID)
            }
            description.usbVendorID = UInt16(exactly: vendorID)
            description.usbProductID = UInt16(exactly: productID)
        } catch {
            // Enumeration reports what it can: a port whose IDs cannot be read is still listed.
        }
        description.manufacturer = String(optionalCString: sp_get_port_usb_manufacturer(port))
        description.product = String(optionalCString: sp_get_port_usb_product(port))
        description.serialNumber = String(optionalCString: sp_get_port_usb_serial(port))
    }
}
