import Foundation
import HAL
import HALLinux
import Testing

@Suite struct LinuxSerialTests {
    static let missingDevice = "/dev/ttyVIGILMISSING0"

    @Test func portsCanBeListed() throws {
        let ports = try LinuxSerial().ports()
        #expect(Set(ports.map(\.path)).count == ports.count, "a port listed twice: \(ports.map(\.path))")
        for port in ports {
            // Each a tty device the kernel has, by its /dev name.
            #expect(port.path.hasPrefix("/dev/"))
            #expect(FileManager.default.fileExists(atPath: port.path), "\(port.path) is listed but absent")
            #expect(FileManager.default.fileExists(atPath: "/sys/class/tty/" + port.path.dropFirst("/dev/".count)), "\(port.path) is no tty")
        }
    }

    @Test func openingAMissingDeviceThrowsNotFoundNamingIt() async throws {
        let error = await #expect(throws: HALError.self) {
            try await LinuxSerial().open(Self.missingDevice, configuration: SerialConfiguration(baudRate: 115200))
        }
        #expect(error?.kind == .notFound)
        #expect(error?.target == Self.missingDevice)
        #expect(error?.description.contains(Self.missingDevice) == true)
    }

    @Test func openingWithAnUnsupportedBaudRateThrowsInvalidArgument() async throws {
        let terminal = try PseudoTerminal()
        let error = await #expect(throws: HALError.self) {
            try await LinuxSerial().open(terminal.slavePath, configuration: SerialConfiguration(baudRate: 12345))
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.target == terminal.slavePath)
    }

    @Test func libSerialPortNamesTheCallAndTheMissingDevice() throws {
        let error = #expect(throws: HALError.self) {
            try LinuxSerialPort(path: Self.missingDevice, configuration: SerialConfiguration(baudRate: 9600), driver: .libserialport)
        }
        #expect(error?.kind == .notFound)
        #expect(error?.operation == "sp_get_port_by_name")
        #expect(error?.target == Self.missingDevice)
        #expect(error?.description.contains(Self.missingDevice) == true)
    }

    @Test func libSerialPortReportsAPseudoTerminalAsUnsupported() throws {
        let terminal = try PseudoTerminal()
        let error = #expect(throws: HALError.self) {
            try LinuxSerialPort(path: terminal.slavePath, configuration: SerialConfiguration(baudRate: 9600), driver: .libserialport)
        }
        #expect(error?.kind == .unsupported)
        #expect(error?.target == terminal.slavePath)
    }

    @Test func termiosSerialPortOpensAPseudoTerminalDirectly() async throws {
        let terminal = try PseudoTerminal()
        let port = try LinuxSerialPort(path: terminal.slavePath, configuration: SerialConfiguration(baudRate: 57600), driver: .termios)
        #expect(port.configuration == SerialConfiguration(baudRate: 57600))
        try await port.write([0x11, 0x13])
        #expect(try terminal.read(count: 2) == [0x11, 0x13])
        await port.close()
    }

    @Test func aSecondOpenOfTheSamePortIsBusy() async throws {
        let terminal = try PseudoTerminal()
        let first = try await LinuxSerial().open(terminal.slavePath, configuration: SerialConfiguration(baudRate: 9600))
        let error = await #expect(throws: HALError.self) {
            try await LinuxSerial().open(terminal.slavePath, configuration: SerialConfiguration(baudRate: 9600))
        }
        #expect(error?.kind == .busy)
        await first.close()
    }
}
