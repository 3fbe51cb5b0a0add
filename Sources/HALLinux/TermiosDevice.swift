import Glibc
import HAL
import SystemCalls

/// A serial device driven through plain POSIX calls and termios: any tty, pseudo-terminals
/// included.
struct TermiosDevice: SerialDevice {
    let path: String
    let descriptor: Int32

    /// Opens `path` non-blocking, without making it the controlling terminal, locks it and
    /// applies `configuration`.
    static func open(_ path: String, configuration: SerialConfiguration) throws(HALError) -> TermiosDevice {
        let descriptor = try systemCall("open", target: path) {
            Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        }
        let device = TermiosDevice(path: path, descriptor: descriptor)
        do throws(HALError) {
            try device.lockExclusively()
            try device.apply(configuration)
        } catch {
            device.close()
            throw error
        }
        return device
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(HALError) -> Int {
        do {
            return try systemCall("read", target: path) { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
        } catch where error.errno == EAGAIN {
            return 0
        }
    }

    func write(someOf bytes: ArraySlice<UInt8>) throws(HALError) -> Int {
        do {
            return try systemCall("write", target: path) {
                bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            }
        } catch where error.errno == EAGAIN {
            return 0
        }
    }

    func outputQueueCount() throws(HALError) -> Int {
        var count: Int32 = 0
        try systemCall("ioctl(TIOCOUTQ)", target: path) { ioctl(descriptor, UInt(TIOCOUTQ), &count) }
        return Int(count)
    }

    func waitUntilTransmitted() throws(HALError) {
        try systemCall("tcdrain", target: path) { tcdrain(descriptor) }
    }

    func discard(_ queues: SerialQueues) throws(HALError) {
        let selector: Int32 =
            switch queues {
            case .input: TCIFLUSH
            case .output: TCOFLUSH
            case .both: TCIOFLUSH
            }
        try systemCall("tcflush", target: path) { tcflush(descriptor, selector) }
    }

    func apply(_ configuration: SerialConfiguration) throws(HALError) {
        try updateTermios { (settings: inout termios) throws(HALError) in
            try TermiosSettings.apply(configuration, to: &settings, target: path)
        }
    }

    func close() {
        closeDescriptor(descriptor)
    }
}
