import HAL

/// A serial port driven through libserialport: UARTs, USB and Bluetooth serial adapters, any
/// device with a `/sys/class/tty` entry.
///
/// Opening looks the device up (`sp_get_port_by_name`), opens it for reading and writing
/// (`sp_open`), locks it with `flock` (another holder makes the open throw
/// ``HALError/Kind/busy``), sets baud, data bits, parity, stop bits and always the flow control
/// (`sp_set_flowcontrol`, `.none` included: a port left with XON/XOFF would swallow 0x11 and
/// 0x13), then finishes raw mode in termios. Every byte value passes unchanged.
///
/// Errors name the libserialport call and the device path. A device libserialport does not
/// know throws ``HALError/Kind/notFound`` if the path does not exist and
/// ``HALError/Kind/unsupported`` if it does (a pseudo-terminal, say); ``LinuxSerial`` then
/// falls back to ``TermiosSerialPort``.
///
/// Waits run on a private serial queue, never on Swift's cooperative thread pool, and end
/// early with ``HALError/Kind/cancelled`` when the waiting task is cancelled. A read on a device
/// that went away throws ``HALError/Kind/disconnected``. After ``close()`` every call throws
/// ``HALError/Kind/closed``.
public final class LibSerialPort: SerialPort {
    private let engine: SerialPortEngine

    /// Opens the device at `path` with `configuration`. Throws
    /// ``HALError/Kind/invalidArgument`` for an impossible configuration.
    public init(path: String, configuration: SerialConfiguration) throws(HALError) {
        engine = try SerialPortEngine(path: path, configuration: configuration, open: LibSerialPortDevice.open)
    }

    /// The path the port was opened with.
    public var name: String { engine.name }
    public var configuration: SerialConfiguration { engine.configuration }
    /// The system's monotonic clock.
    public var clock: any HALClock { SystemClock() }

    /// Waits for queued output to leave, then applies `configuration` through libserialport.
    public func reconfigure(_ configuration: SerialConfiguration) async throws(HALError) {
        try await engine.reconfigure(configuration)
    }

    /// Polls the port's descriptor for input, then reads what is there with
    /// `sp_nonblocking_read` (at most `maxCount` bytes); [] once `deadline` has passed with
    /// nothing received.
    public func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await engine.read(upTo: maxCount, deadline: deadline)
    }

    /// Writes every byte with `sp_nonblocking_write`, waiting for room (`POLLOUT`) whenever
    /// the port takes only part. If the task is cancelled meanwhile, a prefix of `bytes` may
    /// have been sent.
    public func write(_ bytes: [UInt8]) async throws(HALError) {
        try await engine.write(bytes)
    }

    /// Waits (cancellably, polling `sp_output_waiting`) until the output queue is empty, then
    /// calls `sp_drain` for the last character.
    public func drain() async throws(HALError) {
        try await engine.drain()
    }

    /// `sp_flush` on the chosen queues.
    public func flush(_ queues: SerialQueues) async throws(HALError) {
        try engine.flush(queues)
    }

    /// Closes and frees the port; a read or write in progress throws ``HALError/Kind/closed``.
    public func close() async {
        engine.close()
    }
}
