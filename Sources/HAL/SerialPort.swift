/// Which buffered bytes ``SerialPort/flush(_:)`` discards.
public enum SerialQueues: String, Sendable, Hashable, Codable, CaseIterable {
    case input, output, both
}

/// An open serial port: a UART, a USB serial adapter, a pseudo-terminal or a simulated link.
///
/// A port is owned by one driver at a time; its methods may be called from any task but must
/// not be called concurrently with each other (the driver serialises them).
public protocol SerialPort: AnyObject, Sendable {
    /// The path or name the port was opened with.
    var name: String { get }
    /// The configuration in force.
    var configuration: SerialConfiguration { get }
    /// The clock that read deadlines are measured on.
    var clock: any HALClock { get }

    /// Applies a new configuration while the port stays open (a baud change, say).
    /// Bytes already queued for output are sent at the old settings first.
    func reconfigure(_ configuration: SerialConfiguration) async throws(HALError)

    /// Returns the bytes that have arrived, at most `maxCount` of them, waiting until at least
    /// one byte is there or `deadline` passes. An empty result means the deadline passed with
    /// nothing received; it is not an error. Partial data is returned as soon as it arrives.
    func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8]

    /// Like ``read(upTo:deadline:)``, for a reader that knows at least `minCount` more bytes
    /// are on their way (the rest of a reply or of a frame), so that a port may hand them over
    /// in one batch instead of piece by piece: a port that knows when they are due (at its baud
    /// rate) waits until then. It returns fewer than `minCount` bytes once `deadline` has
    /// passed (none if nothing came) or once the line pauses (the bytes due have not all come),
    /// never more than `maxCount`, and never waits past `deadline`. Callers still loop: a port
    /// that cannot batch returns what ``read(upTo:deadline:)`` would (the default).
    func read(atLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8]

    /// Queues all of `bytes` for sending; returns once the backend has accepted every byte
    /// (not necessarily once they have left the wire: see ``drain()``).
    func write(_ bytes: [UInt8]) async throws(HALError)

    /// Writes `request` (as ``write(_:)``), then reads its reply as
    /// ``read(atLeast:upTo:deadline:)`` does: at least `minCount` bytes are on their way once
    /// the request has gone. One operation, so that a port may do both in one go and time the
    /// reply from the request (it cannot end sooner than both their wire times after the
    /// write). For a request and reply that come in a steady rhythm (a camera's packages, each
    /// asked for alone); callers loop as after a read. The default writes, then reads.
    func exchange(_ request: [UInt8], readAtLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8]

    /// Waits until every written byte has left the wire.
    func drain() async throws(HALError)

    /// Discards bytes received but not yet read, queued but not yet sent, or both.
    func flush(_ queues: SerialQueues) async throws(HALError)

    /// Closes the port. Later calls throw ``HALError/Kind/closed``. Closing twice is harmless.
    func close() async
}

extension SerialPort {
    public func read(atLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await read(upTo: maxCount, deadline: deadline)
    }

    public func exchange(_ request: [UInt8], readAtLeast minCount: Int, upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await write(request)
        return try await read(atLeast: minCount, upTo: maxCount, deadline: deadline)
    }

    /// Reads exactly `count` bytes unless `deadline` passes first, in which case it returns
    /// what has arrived so far (fewer than `count` bytes).
    public func read(exactly count: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            let chunk = try await read(atLeast: count - bytes.count, upTo: count - bytes.count, deadline: deadline)
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return bytes
    }

    /// Reads and discards whatever arrives until the line has been quiet for `quiet`, or
    /// until `limit` bytes are discarded with the line still busy. Returns the number of
    /// bytes discarded: `limit` or more means the line did not go quiet.
    @discardableResult
    public func drainInput(quiet: Duration, limit: Int = .max) async throws(HALError) -> Int {
        var discarded = 0
        while discarded < limit {
            let chunk = try await read(upTo: min(4096, limit - discarded), deadline: clock.now.advanced(by: quiet))
            if chunk.isEmpty { return discarded }
            discarded += chunk.count
        }
        return discarded
    }
}

/// What port enumeration reports about one serial device.
public struct SerialPortDescription: Sendable, Hashable, Codable {
    public enum Transport: String, Sendable, Hashable, Codable {
        case native, usb, bluetooth, pseudoTerminal, simulated, unknown
    }

    /// The device path, such as `/dev/ttyUSB0`.
    public var path: String
    /// The stable `/dev/serial/by-id/...` name where udev made one.
    public var stablePath: String?
    public var transport: Transport
    public var description: String?
    public var usbVendorID: UInt16?
    public var usbProductID: UInt16?
    public var manufacturer: String?
    public var product: String?
    public var serialNumber: String?

    public init(
        path: String, stablePath: String? = nil, transport: Transport, description: String? = nil,
        usbVendorID: UInt16? = nil, usbProductID: UInt16? = nil, manufacturer: String? = nil,
        product: String? = nil, serialNumber: String? = nil
    ) {
        self.path = path
        self.stablePath = stablePath
        self.transport = transport
        self.description = description
        self.usbVendorID = usbVendorID
        self.usbProductID = usbProductID
        self.manufacturer = manufacturer
        self.product = product
        self.serialNumber = serialNumber
    }
}
