import CSerialPort
import Files
import Glibc
import HAL

/// A serial device driven through libserialport.
struct LibSerialPortDevice: SerialDevice {
    let path: String
    let descriptor: Int32
    private let port: OpaquePointer

    /// Looks `path` up in libserialport, opens it for reading and writing, locks it and
    /// applies `configuration`.
    ///
    /// Throws ``HALError/Kind/notFound`` if there is no such device and
    /// ``HALError/Kind/unsupported`` if libserialport cannot drive it: it knows only devices
    /// with a `/sys/class/tty` entry, and `sp_open` fails with `ENOTTY` on devices without
    /// modem-control lines, pseudo-terminals among them.
    static func open(_ path: String, configuration: SerialConfiguration) throws(HALError) -> LibSerialPortDevice {
        let port = try lookUp(path)
        do throws(HALError) {
            try serialPortCall("sp_open", target: path) { sp_open(port, SP_MODE_READ_WRITE) }
        } catch {
            sp_free_port(port)
            throw error
        }
        do throws(HALError) {
            var descriptor: Int32 = -1
            try serialPortCall("sp_get_port_handle", target: path) { sp_get_port_handle(port, &descriptor) }
            let device = LibSerialPortDevice(path: path, descriptor: descriptor, port: port)
            // libserialport 0.1.1 opens without O_CLOEXEC, and whether the descriptor stays
            // non-blocking differs between versions; every read and write here must return at once.
            try makeNonBlockingAndCloseOnExec(descriptor, target: path)
            try device.lockExclusively()
            try device.apply(configuration)
            return device
        } catch {
            close(port)
            throw error
        }
    }

    private static func lookUp(_ path: String) throws(HALError) -> OpaquePointer {
        var port: OpaquePointer?
        do {
            try serialPortCall("sp_get_port_by_name", target: path) { sp_get_port_by_name(path, &port) }
        } catch where error.kind == .invalidArgument {
            // libserialport reports a device it does not know as a bad argument.
            var failure = error
            if FileSystem.exists(path) {
                failure.kind = .unsupported
                failure.message = "libserialport does not know this device (it has no /sys/class/tty entry)"
            } else {
                failure.kind = .notFound
                failure.message = "no such serial device"
            }
            throw failure
        }
        guard let port else {
            throw HALError(
                .io, operation: "sp_get_port_by_name", target: path, message: "libserialport returned no port")
        }
        return port
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(HALError) -> Int {
        try serialPortCall("sp_nonblocking_read", target: path) { sp_nonblocking_read(port, buffer.baseAddress, buffer.count) }
    }

    func write(someOf bytes: ArraySlice<UInt8>) throws(HALError) -> Int {
        try serialPortCall("sp_nonblocking_write", target: path) {
            bytes.withUnsafeBytes { sp_nonblocking_write(port, $0.baseAddress, $0.count) }
        }
    }

    func outputQueueCount() throws(HALError) -> Int {
        try serialPortCall("sp_output_waiting", target: path) { sp_output_waiting(port) }
    }

    func waitUntilTransmitted() throws(HALError) {
        try serialPortCall("sp_drain", target: path) { sp_drain(port) }
    }

    func discard(_ queues: SerialQueues) throws(HALError) {
        let buffers =
            switch queues {
            case .input: SP_BUF_INPUT
            case .output: SP_BUF_OUTPUT
            case .both: SP_BUF_BOTH
            }
        try serialPortCall("sp_flush", target: path) { sp_flush(port, buffers) }
    }

    /// Sets speed, framing and flow control through libserialport (flow control always,
    /// `.none` included, so that no XON/XOFF left over from a previous user swallows bytes),
    /// then finishes raw mode in termios, since `sp_open` leaves some processing on.
    func apply(_ configuration: SerialConfiguration) throws(HALError) {
        let parity =
            switch configuration.parity {
            case .none: SP_PARITY_NONE
            case .odd: SP_PARITY_ODD
            case .even: SP_PARITY_EVEN
            }
        let flowControl =
            switch configuration.flowControl {
            case .none: SP_FLOWCONTROL_NONE
            case .software: SP_FLOWCONTROL_XONXOFF
            case .hardware: SP_FLOWCONTROL_RTSCTS
            }
        try serialPortCall("sp_set_baudrate", target: path) { sp_set_baudrate(port, Int32(configuration.baudRate)) }
        try serialPortCall("sp_set_bits", target: path) { sp_set_bits(port, Int32(configuration.dataBits)) }
        try serialPortCall("sp_set_parity", target: path) { sp_set_parity(port, parity) }
        try serialPortCall("sp_set_stopbits", target: path) {
            sp_set_stopbits(port, Int32(configuration.stopBits.rawValue))
        }
        try serialPortCall("sp_set_flowcontrol", target: path) { sp_set_flowcontrol(port, flowControl) }
        try updateTermios { (settings: inout termios) in
            TermiosSettings.makeRaw(&settings, flowControl: configuration.flowControl)
        }
    }

    func close() {
        Self.close(port)
    }

    private static func close(_ port: OpaquePointer) {
        // Not retried on failure, for the reason given at closeDescriptor(_:).
        _ = sp_close(port)
        sp_free_port(port)
    }
}
