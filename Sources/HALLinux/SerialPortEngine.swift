import Glibc
import HAL
import Synchronization

/// What every Linux ``SerialPort`` shares, whatever drives the device: the lock around the
/// open device, reads and writes that wait (on a ``DescriptorWaiter``, never on the
/// cooperative thread pool) without blocking the device, deadlines, cancellation, closing.
///
/// Every call into the device happens with the lock held and none after ``close()``, which
/// takes the lock too and then interrupts a wait in progress; that wait finds the device gone
/// and throws ``HALError/Kind/closed``.
final class SerialPortEngine: Sendable {
    let name: String
    private let state: Mutex<State>
    private let waiter: DescriptorWaiter

    private struct State {
        var device: (any SerialDevice)?
        var configuration: SerialConfiguration
    }

    /// Validates `configuration`, then opens the device with `open`.
    init(
        path: String, configuration: SerialConfiguration,
        open: (String, SerialConfiguration) throws(HALError) -> any SerialDevice
    ) throws(HALError) {
        try configuration.validate(target: path)
        name = path
        waiter = try DescriptorWaiter(label: "vigil.serial \(path)", target: path)
        state = Mutex(State(device: try open(path, configuration), configuration: configuration))
    }

    deinit {
        state.withLock { $0.device?.close() }
    }

    var configuration: SerialConfiguration { state.withLock { $0.configuration } }

    func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        guard maxCount > 0 else {
            throw HALError(
                .invalidArgument, operation: "read", target: name, message: "cannot read up to \(maxCount) bytes")
        }
        return try await waiter.run { scope throws(HALError) in
            while true {
                let descriptor = try self.withDevice("read") { $0.descriptor }
                let watched = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
                switch try scope.wait(for: watched, until: deadline, operation: "read", target: self.name) {
                case .deadlinePassed:
                    return []
                case .interrupted:
                    continue
                case .ready(let polled):
                    let bytes = try self.withDevice("read") { device throws(HALError) in
                        try device.readAvailable(upTo: maxCount)
                    }
                    if !bytes.isEmpty { return bytes }
                    if polled.contains(where: { $0.revents & Int16(POLLHUP | POLLERR) != 0 }) {
                        throw HALError(
                            .disconnected, operation: "read", target: self.name, message: "the device hung up")
                    }
                }
            }
        }
    }

    func write(_ bytes: [UInt8]) async throws(HALError) {
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

    func drain() async throws(HALError) {
        try await waiter.run { scope throws(HALError) in try self.waitForOutput(scope, operation: "drain") }
    }

    func flush(_ queues: SerialQueues) throws(HALError) {
        try withDevice("flush") { device throws(HALError) in try device.discard(queues) }
    }

    func reconfigure(_ configuration: SerialConfiguration) async throws(HALError) {
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

    func close() {
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
