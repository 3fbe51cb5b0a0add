import HAL

/// A serial port driven through plain termios: pseudo-terminals (`/dev/pts/N`) and any tty
/// libserialport cannot drive. ``LinuxSerial`` falls back to it automatically.
///
/// The device is opened with `O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC`, locked with `flock`
/// (another holder makes the open throw ``HALError/Kind/busy``) and put in raw mode with
/// `CLOCAL | CREAD`, the configuration's framing, no XON/XOFF unless
/// ``SerialConfiguration/FlowControl/software`` is asked for, `CRTSCTS` for
/// ``SerialConfiguration/FlowControl/hardware`` and `VMIN` = `VTIME` = 0. Every byte value
/// passes unchanged.
///
/// Waits run on a private serial queue, never on Swift's cooperative thread pool, and end
/// early with ``HALError/Kind/cancelled`` when the waiting task is cancelled. A read on a device
/// that went away (`EIO`, `ENXIO`, hang-up: an unplugged adapter, a closed pty master) throws
/// ``HALError/Kind/disconnected``. After ``close()`` every call throws ``HALError/Kind/closed``.
public final class TermiosSerialPort: SerialPort {
    private let engine: SerialPortEngine

    /// Opens the tty at `path` with `configuration`. Throws ``HALError/Kind/invalidArgument``
    /// for an impossible configuration and the error of the failing call (`open`, `flock`,
    /// `tcgetattr`, `tcsetattr`, ...) naming `path` otherwise; `notFound` if there is no such
    /// device.
    public init(path: String, configuration: SerialConfiguration) throws(HALError) {
        engine = try SerialPortEngine(path: path, configuration: configuration, open: TermiosDevice.open)
    }

    /// The path the port was opened with.
    public var name: String { engine.name }
    public var configuration: SerialConfiguration { engine.configuration }
    /// The system's monotonic clock.
    public var clock: any HALClock { SystemClock() }

    /// Waits for queued output to leave, then applies `configuration` with `tcsetattr`.
    public func reconfigure(_ configuration: SerialConfiguration) async throws(HALError) {
        try await engine.reconfigure(configuration)
    }

    /// Polls for input, then reads what is there (at most `maxCount` bytes); [] once
    /// `deadline` has passed with nothing received.
    public func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await engine.read(upTo: maxCount, deadline: deadline)
    }

    /// Writes every byte, waiting for room (`POLLOUT`) whenever the device takes only part.
    /// If the task is cancelled meanwhile, a prefix of `bytes` may have been sent.
    public func write(_ bytes: [UInt8]) async throws(HALError) {
        try await engine.write(bytes)
    }

    /// Waits (cancellably, polling the output queue) until the output queue is empty, then
    /// calls `tcdrain` for the last character.
    public func drain() async throws(HALError) {
        try await engine.drain()
    }

    /// `tcflush` on the chosen queues.
    public func flush(_ queues: SerialQueues) async throws(HALError) {
        try engine.flush(queues)
    }

    /// Closes the descriptor; a read or write in progress throws ``HALError/Kind/closed``.
    public func close() async {
        engine.close()
    }
}
