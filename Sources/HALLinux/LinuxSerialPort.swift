import Glibc
import HAL
import Synchronization

/// A serial port on Linux, driven by libserialport or by plain termios (see ``Driver``).
///
/// Whatever drives the device, the port is raw (every byte value passes unchanged), locked
/// with `flock` (another holder makes the open throw ``HALError/Kind/busy``), and always has
/// the flow control asked for set explicitly (a port left with XON/XOFF would swallow 0x11 and
/// 0x13). Errors name the failing call and the device path.
///
/// Waits run on a private serial queue (a ``DescriptorWaiter``), never on Swift's cooperative
/// thread pool, and end early with ``HALError/Kind/cancelled`` when the waiting task is
/// cancelled. A read on a device that went away (`EIO`, `ENXIO`, hang-up: an unplugged adapter,
/// a closed pty master) throws ``HALError/Kind/disconnected``. Every call into the device
/// happens with the lock held; ``close()`` takes the lock too, then interrupts a wait in
/// progress, and every call afterwards throws ``HALError/Kind/closed``.
public final class LinuxSerialPort: SerialPort, Sendable {
    /// What drives the device.
    public enum Driver: Sendable, Hashable {
        /// libserialport: UARTs, USB and Bluetooth serial adapters, any device with a
        /// `/sys/class/tty` entry. Opening looks the device up (`sp_get_port_by_name`), opens it
        /// (`sp_open`), sets the framing and flow control through libserialport, then finishes
        /// raw mode in termios. A device libserialport does not know throws
        /// ``HALError/Kind/notFound`` if the path does not exist and ``HALError/Kind/unsupported``
        /// if it does (a pseudo-terminal, say); ``LinuxSerial`` then falls back to `termios`.
        case libserialport
        /// Plain termios: pseudo-terminals (`/dev/pts/N`) and any tty libserialport cannot
        /// drive. The device is opened with `O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC` and set
        /// to `CLOCAL | CREAD`, the configuration's framing, no XON/XOFF unless
        /// ``SerialConfiguration/FlowControl/software`` is asked for, `CRTSCTS` for
        /// ``SerialConfiguration/FlowControl/hardware`` and `VMIN` = `VTIME` = 0.
        case termios
    }

    /// The least wire time of missing bytes that a read sleeps for instead of polling: less
    /// than this is as soon there as a wake-up on its arrival.
    public static let shortestSleep = Duration.milliseconds(1)

    /// The path the port was opened with.
    public let name: String
    /// What drives the device.
    public let driver: Driver
    private let state: Mutex<State>
    private let waiter: DescriptorWaiter
    private let wakeUps = Atomic<Int>(0)
    /// How late (nanoseconds) recent sleeps until bytes were due ended, on average.
    private let recentLateness = Atomic<Int64>(0)

    private struct State {
        var device: (any SerialDevice)?
        var configuration: SerialConfiguration
    }

    /// Opens the device at `path` with `configuration` through `driver`. Throws
    /// ``HALError/Kind/invalidArgument`` for an impossible configuration and otherwise the error
    /// of the failing call (`sp_open`, `open`, `flock`, `tcsetattr`, ...) naming `path`;
    /// ``HALError/Kind/notFound`` if there is no such device.
    public init(path: String, configuration: SerialConfiguration, driver: Driver) throws(HALError) {
        try configuration.validate(target: path)
        name = path
        self.driver = driver
        waiter = try DescriptorWaiter(label: "vigil.serial \(path)", target: path)
        let device: any SerialDevice
        switch driver {
        case .libserialport: device = try LibSerialPortDevice.open(path, configuration: configuration)
        case .termios: device = try TermiosDevice.open(path, configuration: configuration)
        }
        state = Mutex(State(device: device, configuration: configuration))
    }

    deinit {
        state.withLock { $0.device?.close() }
    }

    public var configuration: SerialConfiguration { state.withLock { $0.configuration } }
    /// The system's monotonic clock.
    public var clock: any HALClock { SystemClock() }

    /// Reads what is there (at most `maxCount` bytes), waiting for input if there is none;
    /// [] once `deadline` has passed with nothing received.
    public func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await read(atLeast: 1, upTo: maxCount, deadline: deadline)
    }

    /// Waits (polling the descriptor) for the first byte, then, while fewer than `minCount`
    /// have come, sleeps until the rest are due at the configured baud rate and reads what is
    /// there: one wake-up and one `read` for a batch of bytes, not one for each piece the
    /// device hands over. The rest are due no sooner than their wire time from now, nor than
    /// `minCount` bytes' wire time from the first byte's arrival when the read saw it arrive
    /// (a device that hands over bytes in bursts gives the first ones early). The sleep ends
    /// a margin before that (a few bytes' wire time and twice the port's recent wake-up
    /// lateness), so that a burst that came early is not overslept; a tail still missing then
    /// is waited for as it arrives, until a margin past its due time. Returns what has come
    /// once the deadline passes, or once the bytes due have not all come by that wait's end
    /// (the caller, which loops, takes the rest with its next read), or once the
    /// line paused (nothing came for twice the missing bytes' wire time, when so few are
    /// missing that they are polled for: less than ``shortestSleep`` of them).
    public func read(atLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        guard maxCount > 0 else {
            throw HALError(
                .invalidArgument, operation: "read", target: name, message: "cannot read up to \(maxCount) bytes")
        }
        let wanted = min(max(minCount, 1), maxCount)
        return try await waiter.run { scope throws(HALError) in
            let clock = SystemClock()
            let configuration = self.configuration
            var received: [UInt8] = []
            var hungUp = false
            // When the last byte is due as reckoned when the first ones came, if the read waited for them.
            var waitedForFirst = false
            var dueFromFirstBytes: MonotonicInstant?
            func readAvailable() throws(HALError) -> [UInt8] {
                try self.withDevice("read") { device throws(HALError) in try device.readAvailable(upTo: maxCount - received.count) }
            }
            func waitForInput(until limit: MonotonicInstant) throws(HALError) -> WaitScope.Outcome {
                let descriptor = try self.withDevice("read") { $0.descriptor }
                let watched = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
                return try scope.wait(for: watched, until: limit, operation: "read", target: self.name)
            }
            while true {
                let bytes = try readAvailable()
                if bytes.isEmpty && hungUp {
                    throw HALError(.disconnected, operation: "read", target: self.name, message: "the device hung up")
                }
                if received.isEmpty { received = bytes } else { received.append(contentsOf: bytes) }
                if received.count >= wanted { return received }
                let now = clock.now
                guard now < deadline else { return received }
                var due = now.advanced(by: configuration.wireTime(forBytes: wanted - received.count))
                if waitedForFirst && dueFromFirstBytes == nil && !received.isEmpty {
                    // What the first wake-up found came no later than now: the rest follow at the baud.
                    dueFromFirstBytes = due
                }
                if let dueFromFirstBytes { due = max(due, dueFromFirstBytes) }
                if received.isEmpty || now.duration(to: due) < Self.shortestSleep {
                    // Nothing yet, or little to come: woken as input arrives. Partial data
                    // goes back once the line has been quiet for twice the missing bytes' time.
                    let remaining = now.duration(to: due)
                    let limit = received.isEmpty ? deadline : min(deadline, now.advanced(by: remaining * 2 + .milliseconds(2)))
                    switch try waitForInput(until: limit) {
                    case .deadlinePassed:
                        return received
                    case .interrupted:
                        continue
                    case .ready(let polled):
                        self.noteWakeUp(late: nil)
                        if received.isEmpty { waitedForFirst = true }
                        hungUp = polled.contains { $0.revents & Int16(POLLHUP | POLLERR) != 0 }
                    }
                } else {
                    // Up to a margin before the bytes are due (a device that hands them over in
                    // bursts may have given them all), then woken as the tail arrives.
                    let margin = self.wakeMargin(configuration, sleeping: now.duration(to: due))
                    let target = min(due.advanced(by: .zero - margin), deadline)
                    try scope.sleep(until: target, operation: "read", target: self.name)
                    let woke = clock.now
                    self.noteWakeUp(late: target.duration(to: woke))
                    received.append(contentsOf: try readAvailable())
                    guard received.count < wanted, woke < deadline else { return received }
                    if case .ready = try waitForInput(until: min(deadline, max(due, woke).advanced(by: margin))) {
                        self.noteWakeUp(late: nil)
                        received.append(contentsOf: try readAvailable())
                    }
                    return received
                }
            }
        }
    }

    /// How many times reads on this port have woken up (a wait ended by input, or a sleep
    /// until bytes were due) since it was opened: what a read costs beyond its `read` calls.
    public var readWakeUps: Int { wakeUps.load(ordering: .relaxed) }

    /// How long before a reply's bytes are due a read wakes up to take them: a few bytes'
    /// wire time plus twice how late its recent wake-ups were (the first byte's arrival was
    /// seen that late too), at most half the sleep.
    private func wakeMargin(_ configuration: SerialConfiguration, sleeping: Duration) -> Duration {
        let late = Duration.nanoseconds(recentLateness.load(ordering: .relaxed))
        return min(configuration.wireTime(forBytes: Self.marginBytes) + late * 2, sleeping / 2)
    }

    /// Counts a wake-up; `late` is how long after its target a sleep ended, kept as a moving
    /// average (an eighth of each new sample).
    private func noteWakeUp(late: Duration?) {
        wakeUps.add(1, ordering: .relaxed)
        guard let late else { return }
        let sample = min(max(late.nanoseconds, 0), Self.latenessCeiling)
        let old = recentLateness.load(ordering: .relaxed)
        recentLateness.store(old - old / 8 + sample / 8, ordering: .relaxed)
    }

    /// The bytes' wire time a read wakes before the rest of a reply is due, beside the wake-up lateness.
    static let marginBytes = 8
    /// The most a sleep's lateness counts for (a stalled machine's once-off delay is not the norm).
    private static let latenessCeiling: Int64 = 5_000_000

    /// Writes every byte, waiting for room (`POLLOUT`) whenever the device takes only part.
    /// If the task is cancelled meanwhile, a prefix of `bytes` may have been sent.
    public func write(_ bytes: [UInt8]) async throws(HALError) {
        try await waiter.run { scope throws(HALError) in
            var sent = 0
            repeat {
                let (accepted, descriptor) = try self.withDevice("write") { device throws(HALError) in
                    (try device.write(someOf: bytes[sent...]), device.descriptor)
                }
                sent += accepted
                if sent < bytes.count {
                    let watched = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)]
                    _ = try scope.wait(for: watched, until: .distantFuture, operation: "write", target: self.name)
                }
            } while sent < bytes.count
        }
    }

    /// Waits (cancellably, polling the output queue) until it is empty, then for the last
    /// character (`sp_drain` or `tcdrain`).
    public func drain() async throws(HALError) {
        try await waiter.run { scope throws(HALError) in try self.waitForOutput(scope, operation: "drain") }
    }

    /// Discards the chosen queues (`sp_flush` or `tcflush`).
    public func flush(_ queues: SerialQueues) throws(HALError) {
        try withDevice("flush") { device throws(HALError) in try device.discard(queues) }
    }

    /// Waits for queued output to leave, then applies `configuration`.
    public func reconfigure(_ configuration: SerialConfiguration) async throws(HALError) {
        try configuration.validate(target: name)
        try await waiter.run { scope throws(HALError) in
            try self.waitForOutput(scope, operation: "reconfigure")
            try self.state.withLock { state throws(HALError) in
                guard let device = state.device else { throw self.closedError("reconfigure") }
                try device.apply(configuration)
                state.configuration = configuration
            }
        }
    }

    /// Closes the device; a read or write in progress throws ``HALError/Kind/closed``.
    public func close() async {
        state.withLock { state in
            state.device?.close()
            state.device = nil
        }
        waiter.interrupt()
    }

    /// Waits, cancellably, until every queued byte has left: the output queue is polled at
    /// intervals of the time the queued bytes take on the wire (1 to 50 ms), then the device
    /// waits for the last character.
    private func waitForOutput(_ scope: WaitScope, operation: String) throws(HALError) {
        let clock = SystemClock()
        while true {
            let queued = try withDevice(operation) { device throws(HALError) in try device.outputQueueCount() }
            if queued == 0 { break }
            let pause = configuration.wireTime(forBytes: queued)
            let interval: Duration = min(max(pause, .milliseconds(1)), .milliseconds(50))
            try scope.sleep(until: clock.now.advanced(by: interval), operation: operation, target: name)
        }
        try withDevice(operation) { device throws(HALError) in try device.waitUntilTransmitted() }
    }

    /// Runs `body` on the open device with the lock held; throws ``HALError/Kind/closed`` naming
    /// `operation` once the port is closed.
    private func withDevice<Value: Sendable>(
        _ operation: String, _ body: (any SerialDevice) throws(HALError) -> Value
    ) throws(HALError) -> Value {
        try state.withLock { state throws(HALError) in
            guard let device = state.device else { throw closedError(operation) }
            return try body(device)
        }
    }

    private func closedError(_ operation: String) -> HALError {
        HALError(.closed, operation: operation, target: name, message: "the port is closed")
    }
}
