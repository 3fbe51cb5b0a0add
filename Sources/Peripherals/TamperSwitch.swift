import HAL

/// The enclosure's tamper switch on an input line watched for edges.
///
/// The line's logical value (with the board's active-low already applied by the request's
/// settings) is 1 while the enclosure is open, 0 while it is closed. Debouncing is the request's
/// (``LineSettings/debounce``); this only names the edges and drops repeats.
public struct TamperSwitch: Sendable {
    /// The enclosure opening or closing.
    public struct Event: Sendable, Hashable, Codable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable, Codable { case opened, closed }

        public var kind: Kind
        /// When the edge happened, on the request's clock (the kernel's timestamp on Linux).
        public var timestamp: MonotonicInstant

        public init(kind: Kind, timestamp: MonotonicInstant) {
            self.kind = kind
            self.timestamp = timestamp
        }

        public var description: String { "\(timestamp) \(kind.rawValue)" }
    }

    let request: any LineRequest
    let offset: Int

    /// A switch on `request`'s line at `offset` (default: its first). Throws
    /// ``HALError/Kind/invalidArgument`` unless the line was requested as an input watched for
    /// both edges and is part of the request.
    public init(line request: any LineRequest, offset: Int? = nil) throws(HALError) {
        guard request.settings.direction == .input, request.settings.edgeDetection == .both else {
            throw HALError(
                .invalidArgument, operation: "tamper-switch", target: request.chipName,
                message: "the line must be requested as an input watched for both edges")
        }
        guard let offset = offset ?? request.offsets.first, request.offsets.contains(offset) else {
            throw HALError(
                .invalidArgument, operation: "tamper-switch", target: "\(request.chipName):\(offset ?? -1)",
                message: "the line is not part of the request (it holds offsets \(request.offsets))")
        }
        self.request = request
        self.offset = offset
    }

    /// Whether the enclosure is open now.
    public func isOpen() throws(HALError) -> Bool {
        try request.value(of: offset)
    }

    /// The openings and closings from now on, alternating (a repeat of the last kind is dropped);
    /// the sequence ends when the iterating task is cancelled and throws if the request fails.
    public func events() throws(HALError) -> Events {
        Events(edges: request.edgeEvents, offset: offset, last: try isOpen() ? .opened : .closed)
    }

    /// The openings and closings of a ``TamperSwitch``.
    public struct Events: AsyncSequence, Sendable {
        public typealias Element = Event
        public typealias Failure = HALError

        let edges: EdgeEventSequence
        let offset: Int
        let last: Event.Kind

        public struct AsyncIterator: AsyncIteratorProtocol {
            var edges: EdgeEventSequence.AsyncIterator
            let offset: Int
            var last: Event.Kind

            public mutating func next() async throws(HALError) -> Event? {
                while let edge = try await edges.next() {
                    let kind: Event.Kind = edge.value ? .opened : .closed
                    guard edge.offset == offset, kind != last else { continue }
                    last = kind
                    return Event(kind: kind, timestamp: edge.timestamp)
                }
                return nil
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(edges: edges.makeAsyncIterator(), offset: offset, last: last)
        }
    }
}
