import HAL

/// Any serial port, as one concrete type, so that drivers generic over their port can take a
/// port chosen at run time (libserialport, termios, simulated).
public final class AnySerialPort: SerialPort {
    public let base: any SerialPort
    public init(_ base: any SerialPort) { self.base = base }

    public var name: String { base.name }
    public var configuration: SerialConfiguration { base.configuration }
    public var clock: any HALClock { base.clock }
    public func reconfigure(_ configuration: SerialConfiguration) async throws(HALError) { try await base.reconfigure(configuration) }
    public func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await base.read(upTo: maxCount, deadline: deadline)
    }
    public func read(atLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await base.read(atLeast: minCount, upTo: maxCount, deadline: deadline)
    }
    public func write(_ bytes: [UInt8]) async throws(HALError) { try await base.write(bytes) }
    public func exchange(_ request: [UInt8], readAtLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await base.exchange(request, readAtLeast: minCount, upTo: maxCount, deadline: deadline)
    }
    public func drain() async throws(HALError) { try await base.drain() }
    public func flush(_ queues: SerialQueues) async throws(HALError) { try await base.flush(queues) }
    public func close() async { await base.close() }
}
