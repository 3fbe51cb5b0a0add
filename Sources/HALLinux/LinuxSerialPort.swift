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
    /// How late a reply's end comes after its wire time from the first bytes a read saw.
    private let deliveryLag = ReplyLag()
    /// How late an exchange's reply ends after the request's and its wire time from the write.
    private let exchangeLag = ReplyLag()

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

    /// Takes what is there; if fewer than `minCount` bytes, waits (polling the descriptor)
    /// for the first ones, then sleeps until the rest are due at the configured baud rate and
    /// takes them: one wake-up and one `read` for a batch of bytes, not one for each piece the
    /// device hands over. The rest are due their wire time after the first bytes were seen,
    /// plus how late the ends of this port's replies came after that (learnt: a device that
    /// hands bytes over in bursts, a UART's FIFO or a USB adapter, gives the last ones late);
    /// the sleep ends a margin before that (a few bytes' wire time and twice the port's recent
    /// wake-up lateness). A tail still missing then is overdue and taken as it arrives, without
    /// returning to the caller. Returns fewer than `minCount` bytes once the deadline passes,
    /// or once the line pauses: nothing more came for the missing bytes' wire time and 2 ms
    /// after they were due. A wake-up that finds the reply whole makes the next one a little
    /// earlier; one that finds it short makes the next one as late as this reply's end came.
    public func read(atLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        let wanted = try wantedCount(minCount, upTo: maxCount, operation: "read")
        return try await waiter.run { scope throws(HALError) in
            try self.receive(scope, wanted: wanted, upTo: maxCount, deadline: deadline, request: nil)
        }
    }

    /// Writes `request` and reads its reply in one job on the port's thread, without taking
    /// or waiting for input in between: the reply's end is due no sooner than the request's
    /// and `minCount` bytes' wire time after the write, plus how late the ends of this port's
    /// earlier exchanges came after that (learnt as for
    /// ``read(atLeast:upTo:deadline:)``, which covers the device's time to answer too). The
    /// read sleeps until a margin before that: a reply that came whole by then costs one
    /// wake-up and one `read`. If nothing has come by then, the first bytes are waited for
    /// and the rest slept for as a read does. Meant for requests answered in a steady rhythm
    /// (the packages of a frame); others teach the port a lag that fits them less well.
    public func exchange(
        _ request: [UInt8], readAtLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant
    ) async throws(HALError) -> [UInt8] {
        let wanted = try wantedCount(minCount, upTo: maxCount, operation: "exchange")
        return try await waiter.run { scope throws(HALError) in
            try self.send(request, scope)
            let wireEnd = SystemClock().now.advanced(by: self.configuration.wireTime(forBytes: request.count + wanted))
            return try self.receive(scope, wanted: wanted, upTo: maxCount, deadline: deadline, request: (wireEnd, self.exchangeLag))
        }
    }

    /// How many bytes a read waits for: `minCount`, at least 1, at most `maxCount` (which must be positive).
    private func wantedCount(_ minCount: Int, upTo maxCount: Int, operation: String) throws(HALError) -> Int {
        guard maxCount > 0 else {
            throw HALError(.invalidArgument, operation: operation, target: name, message: "cannot read up to \(maxCount) bytes")
        }
        return min(max(minCount, 1), maxCount)
    }

    /// The reading half of ``read(atLeast:upTo:deadline:)`` and ``exchange(_:readAtLeast:upTo:deadline:)``:
    /// `request` is when an exchange's reply ends by the wire and the lag learnt for exchanges
    /// (nil for a read, whose reply is timed from its first bytes).
    private func receive(
        _ scope: WaitScope, wanted: Int, upTo maxCount: Int, deadline: MonotonicInstant,
        request: (wireEnd: MonotonicInstant, lag: ReplyLag)?
    ) throws(HALError) -> [UInt8] {
        let clock = SystemClock()
        let configuration = self.configuration
        var received: [UInt8] = []
        received.reserveCapacity(wanted)
        var hungUp = false
        // The reckoning of the planned wake-up (learnt from once the reply is whole), when it is
        // due, whether it is behind, and whether it found the reply short.
        var reckoning = request
        var due = request.map { $0.wireEnd.advanced(by: $0.lag.estimate) }
        var dueTaken = false
        var missed = false
        func take() throws(HALError) -> Bool {
            let count = try self.withDevice("read") { device throws(HALError) in
                try device.readAvailable(upTo: maxCount - received.count, appendingTo: &received)
            }
            if count == 0 && hungUp {
                throw HALError(.disconnected, operation: "read", target: self.name, message: "the device hung up")
            }
            return received.count >= wanted
        }
        func finish() -> [UInt8] {
            if missed, let reckoning {
                // The end was seen as late as a wake-up comes: of the twice the wake-up lateness
                // that the margin allows for, once is learnt as lag, so that the next wake-up
                // comes as soon after the reply's end as wake-ups do, not twice that.
                let margin = configuration.wireTime(forBytes: Self.marginBytes) + .nanoseconds(self.recentLateness.load(ordering: .relaxed))
                reckoning.lag.learn(late: reckoning.wireEnd.duration(to: clock.now), margin: margin)
            }
            return received
        }
        // The first bytes have just been seen: the rest come at the baud after them.
        func reckonFromFirstBytes() {
            let wireEnd = clock.now.advanced(by: configuration.wireTime(forBytes: wanted - received.count))
            if reckoning == nil { reckoning = (wireEnd, self.deliveryLag) }
            let end = wireEnd.advanced(by: self.deliveryLag.estimate)
            if due.map({ end > $0 }) ?? true {
                due = end
                dueTaken = false
            }
        }
        if request == nil {
            if try take() { return received }
            if !received.isEmpty { reckonFromFirstBytes() }
        }
        while true {
            let now = clock.now
            guard now < deadline else { return received }
            if let end = due, !dueTaken {
                dueTaken = true
                let sleeping = now.duration(to: end)
                if sleeping >= Self.shortestSleep {
                    let target = min(end.advanced(by: .zero - wakeMargin(configuration, sleeping: sleeping)), deadline)
                    try scope.sleep(until: target, operation: "read", target: name)
                    noteWakeUp(late: target.duration(to: clock.now))
                    if try take() {
                        if !missed { reckoning?.lag.shorten() }
                        return finish()
                    }
                    missed = true
                    continue
                }
            }
            // Nothing yet: woken by the first bytes. Otherwise the rest is due or overdue:
            // taken as it arrives (each piece a wake-up, but rarely more than one), until the
            // line pauses.
            var limit = deadline
            if !received.isEmpty {
                let missing = configuration.wireTime(forBytes: wanted - received.count)
                limit = min(deadline, max(now, due ?? now).advanced(by: missing + Self.pause))
            }
            switch try waitForInput(scope, until: limit) {
            case .deadlinePassed:
                return received
            case .interrupted:
                // Closed, perhaps: taking throws then.
                if try take() { return finish() }
            case .ready(let polled):
                noteWakeUp(late: nil)
                hungUp = polled.contains { $0.revents & Int16(POLLHUP | POLLERR) != 0 }
                let first = received.isEmpty
                if try take() { return finish() }
                if first && !received.isEmpty { reckonFromFirstBytes() }
            }
        }
    }

    /// Waits until the device has input, `limit` passes or the waiter is interrupted.
    private func waitForInput(_ scope: WaitScope, until limit: MonotonicInstant) throws(HALError) -> WaitScope.Outcome {
        let descriptor = try withDevice("read") { $0.descriptor }
        let watched = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        return try scope.wait(for: watched, until: limit, operation: "read", target: name)
    }

    /// How many times reads on this port have woken up (a wait ended by input, or a sleep
    /// until bytes were due) since it was opened: what a read costs beyond its `read` calls.
    public var readWakeUps: Int { wakeUps.load(ordering: .relaxed) }

    /// How long before a reply's bytes are due a read wakes up to take them: a few bytes'
    /// wire time plus twice how late its recent wake-ups were (the first byte's arrival was
    /// seen that late too), at most half the sleep.
    private func wakeMargin(_ configuration: SerialConfiguration, sleeping: Duration) -> Duration {
        // In nanoseconds: Duration's arithmetic with integers is slow, and this runs at every reply.
        let late = recentLateness.load(ordering: .relaxed)
        let margin = configuration.wireTime(forBytes: Self.marginBytes).nanoseconds + late * 2
        return .nanoseconds(min(margin, sleeping.nanoseconds / 2))
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
    /// How long the line may be quiet past when the missing bytes were due, beyond their wire
    /// time, before a read hands back what came: a bridge or adapter's hand-over interval.
    static let pause = Duration.milliseconds(2)
    /// The most a sleep's lateness counts for (a stalled machine's once-off delay is not the norm).
    private static let latenessCeiling: Int64 = 5_000_000

    /// Writes every byte, waiting for room (`POLLOUT`) whenever the device takes only part.
    /// If the task is cancelled meanwhile, a prefix of `bytes` may have been sent.
    public func write(_ bytes: [UInt8]) async throws(HALError) {
        try await waiter.run { scope throws(HALError) in try self.send(bytes, scope) }
    }

    /// The body of ``write(_:)``, on the port's thread.
    private func send(_ bytes: [UInt8], _ scope: WaitScope) throws(HALError) {
        var sent = 0
        repeat {
            let (accepted, descriptor) = try withDevice("write") { device throws(HALError) in
                (try device.write(someOf: bytes[sent...]), device.descriptor)
            }
            sent += accepted
            if sent < bytes.count {
                let watched = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)]
                _ = try scope.wait(for: watched, until: .distantFuture, operation: "write", target: name)
            }
        } while sent < bytes.count
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
