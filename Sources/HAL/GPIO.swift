/// A set of lines of one chip, requested together and held until released.
///
/// Values are logical (active-low applied) and listed in the order of ``offsets``.
/// Releasing a request hands its lines back; later calls throw ``HALError/Kind/closed``.
public protocol LineRequest: AnyObject, Sendable {
    /// The name of the chip the lines belong to.
    var chipName: String { get }
    /// The requested offsets, in request order.
    var offsets: [Int] { get }
    /// The settings the lines were requested with.
    var settings: LineSettings { get }
    /// The clock edge timestamps and wait deadlines are measured on.
    var clock: any HALClock { get }

    /// Reads the current logical value of every line.
    func values() throws(HALError) -> [Bool]

    /// Drives every line (outputs only) to the given logical values, one per offset.
    func setValues(_ values: [Bool]) throws(HALError)

    /// Returns the edge events that have happened, in order, waiting until at least one is
    /// available or `deadline` passes. An empty result means the deadline passed.
    func waitForEdgeEvents(deadline: MonotonicInstant) async throws(HALError) -> [EdgeEvent]

    /// Hands the lines back. Releasing twice is harmless.
    func release()
}

extension LineRequest {
    /// The logical value of one requested line.
    public func value(of offset: Int) throws(HALError) -> Bool {
        guard let index = offsets.firstIndex(of: offset) else { throw notRequested(offset) }
        return try values()[index]
    }

    /// Drives one requested output line, leaving the others as they are.
    public func setValue(_ value: Bool, of offset: Int) throws(HALError) {
        guard let index = offsets.firstIndex(of: offset) else { throw notRequested(offset) }
        var all = try values()
        all[index] = value
        try setValues(all)
    }

    /// The edge events of this request as an endless asynchronous sequence; it ends when the
    /// iterating task is cancelled and throws if the request fails or is released.
    public var edgeEvents: EdgeEventSequence { EdgeEventSequence(request: self) }

    private func notRequested(_ offset: Int) -> HALError {
        HALError(.invalidArgument, operation: "line-value", target: "\(chipName):\(offset)", message: "line was not requested")
    }
}

/// The edge events of a ``LineRequest``, one at a time.
public struct EdgeEventSequence: AsyncSequence, Sendable {
    public typealias Element = EdgeEvent
    public typealias Failure = HALError
    let request: any LineRequest

    public struct AsyncIterator: AsyncIteratorProtocol {
        let request: any LineRequest
        var pending: [EdgeEvent] = []

        public mutating func next() async throws(HALError) -> EdgeEvent? {
            while pending.isEmpty {
                if Task.isCancelled { return nil }
                do {
                    pending = try await request.waitForEdgeEvents(deadline: .distantFuture)
                } catch where error.kind == .cancelled {
                    return nil
                }
            }
            return pending.removeFirst()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(request: request) }
}

/// A GPIO chip: a bank of lines with names, owned by one driver in the kernel.
public protocol GPIOChip: AnyObject, Sendable {
    var info: ChipInfo { get }

    /// What the chip reports about the line at `offset` (its name, who holds it, ...).
    func lineInfo(_ offset: Int) throws(HALError) -> LineInfo

    /// Requests the lines at `offsets` with one set of settings, for `consumer`.
    /// Throws `busy` if another consumer holds one of them, `invalidArgument` for an offset
    /// the chip does not have.
    func requestLines(_ offsets: [Int], settings: LineSettings, consumer: String) throws(HALError) -> any LineRequest
}

extension GPIOChip {
    /// Every line's information, in offset order.
    public func allLineInfo() throws(HALError) -> [LineInfo] {
        var lines: [LineInfo] = []
        for offset in 0..<info.lineCount { lines.append(try lineInfo(offset)) }
        return lines
    }

    /// The offset of the line called `name` on this chip, if there is one.
    public func offset(ofLineNamed name: String) throws(HALError) -> Int? {
        for offset in 0..<info.lineCount where try lineInfo(offset).name == name { return offset }
        return nil
    }
}

/// A source of GPIO chips: the Linux character devices, or a simulated board.
public protocol GPIOProvider: Sendable {
    /// Every chip there is, in number order.
    func chips() throws(HALError) -> [any GPIOChip]

    /// Opens one chip. Throws `notFound` naming the selector if there is none such.
    func chip(_ selector: ChipSelector) throws(HALError) -> any GPIOChip
}

extension GPIOProvider {
    /// The chip and offset of the line called `name`, searching every chip in number order.
    public func findLine(named name: String) throws(HALError) -> (chip: any GPIOChip, offset: Int)? {
        for chip in try chips() {
            if let offset = try chip.offset(ofLineNamed: name) { return (chip, offset) }
        }
        return nil
    }
}

extension GPIOProvider {
    /// The default lookup: the chip whose label, path or number matches `selector`.
    public func chip(_ selector: ChipSelector) throws(HALError) -> any GPIOChip {
        let found = try chips().first { chip in
            switch selector {
            case .label(let label): chip.info.label == label
            case .path(let path): chip.info.path == path
            case .number(let number): chip.info.name == "gpiochip\(number)"
            }
        }
        guard let found else {
            throw HALError(.notFound, operation: "open-chip", target: selector.description, message: "no such GPIO chip")
        }
        return found
    }
}

/// A source of serial ports: the system's devices, or a simulated board's links.
public protocol SerialProvider: Sendable {
    /// Every serial port the system knows of.
    func ports() throws(HALError) -> [SerialPortDescription]

    /// Opens the port at `path` with `configuration` (raw mode; the flow control asked for is
    /// always set explicitly). Throws `notFound` naming the path if there is no such device.
    func open(_ path: String, configuration: SerialConfiguration) async throws(HALError) -> any SerialPort
}
