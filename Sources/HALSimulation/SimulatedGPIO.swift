import HAL
import Synchronization

/// A simulated board's GPIO chips.
public final class SimulatedGPIO: GPIOProvider {
    public let simulatedChips: [SimulatedGPIOChip]

    public init(chips: [SimulatedGPIOChip]) { simulatedChips = chips }

    public func chips() throws(HALError) -> [any GPIOChip] { simulatedChips }

    /// The simulated chip with `label`, for a test or an emulated peripheral to drive.
    public func simulatedChip(label: String) -> SimulatedGPIOChip? {
        simulatedChips.first { $0.info.label == label }
    }
}

/// A simulated GPIO chip with named lines.
///
/// The outside world (a test, an emulated PIR) drives an input with ``drive(_:to:)``, as
/// gpio-sim's `pull` attribute does; an undriven input follows the bias it was requested
/// with (pull-up reads high, pull-down low) and otherwise reads low, as a released line does. The changes of a line's
/// physical level are kept in its ``history(of:)``, with the virtual time each happened: the
/// newest ``historyLimit`` at least, so that a node simulated for weeks stays flat in memory.
public final class SimulatedGPIOChip: GPIOChip {
    struct Line {
        var name: String?
        var external: Bool?
        var level = false
        var request: UInt64?
        var history: [LevelChange] = []
    }

    struct RequestState {
        var offsets: [Int]
        var settings: LineSettings
        var consumer: String
        var outputs: [Int: Bool] = [:]  // logical values driven
        var filter: EdgeFilter
        var events: [EdgeEvent] = []
    }

    struct State {
        var lines: [Line]
        var requests: [UInt64: RequestState] = [:]
        var nextRequest: UInt64 = 1
    }

    /// A change of a line's physical level.
    public struct LevelChange: Sendable, Hashable, Codable {
        public var time: MonotonicInstant
        public var level: Bool
    }

    /// How many of a line's newest level changes ``history(of:)`` keeps at least (a status LED
    /// blinking at 2 Hz makes 10,000 in 40 minutes).
    public let historyLimit: Int

    public let info: ChipInfo
    let clock: VirtualClock
    let state: Mutex<State>
    /// Fired whenever any line changes level or gets an edge event.
    let changed: SimulationSignal

    /// - Parameter names: line names by offset; may be shorter than `lineCount`.
    public init(
        number: Int = 0, label: String, lineCount: Int, names: [String] = [], clock: VirtualClock, historyLimit: Int = 10_000
    ) {
        self.historyLimit = max(1, historyLimit)
        info = ChipInfo(name: "gpiochip\(number)", label: label, path: "/dev/gpiochip\(number)", lineCount: lineCount)
        self.clock = clock
        var lines = (0..<lineCount).map { Line(name: $0 < names.count ? names[$0] : nil) }
        for index in lines.indices { lines[index].history = [LevelChange(time: clock.now, level: false)] }
        state = Mutex(State(lines: lines))
        changed = SimulationSignal(clock: clock)
    }

    // MARK: The outside world's side

    /// Drives a line from outside (a sensor's output): `true` high, `false` low, `nil`
    /// released, so that the line follows its bias again.
    public func drive(_ offset: Int, to level: Bool?) {
        guard offset >= 0 && offset < info.lineCount else { return }
        state.withLock { state in
            state.lines[offset].external = level
            settle(offset, in: &state)
        }
        changed.fire()
    }

    /// The physical level of a line now (high = true), whoever drives it.
    public func level(of offset: Int) -> Bool {
        state.withLock { $0.lines[offset].level }
    }

    /// The changes of a line's physical level, oldest first, starting with its level when the
    /// chip was made, or, once more than ``historyLimit`` were made, with one of the newest
    /// ``historyLimit`` (older ones are dropped in batches).
    public func history(of offset: Int) -> [LevelChange] {
        state.withLock { $0.lines[offset].history }
    }

    /// Waits until any line of this chip changes or `deadline` passes; for peripheral
    /// emulators that watch outputs (an LED observer).
    public func waitForChange(after generation: UInt64, deadline: MonotonicInstant) async throws(HALError) {
        try await changed.wait(untilChangedFrom: generation, deadline: deadline)
    }

    /// The change counter to pass to ``waitForChange(after:deadline:)``.
    public var changeGeneration: UInt64 { changed.generation }

    private func settle(_ offset: Int, in state: inout State) {
        // Only the line's scalars are read out: a copy of the whole line would share its history,
        // and the append below would then copy all of it at every change.
        let (current, external, requestID) = (state.lines[offset].level, state.lines[offset].external, state.lines[offset].request)
        let settings = requestID.flatMap { state.requests[$0]?.settings }
        let level: Bool
        if let settings, settings.direction == .output, let logical = requestID.flatMap({ state.requests[$0]?.outputs[offset] }) {
            let physical = logical != settings.activeLow
            switch settings.drive {
            case .pushPull: level = physical
            case .openDrain: level = physical ? floating(external, settings) : false
            case .openSource: level = physical ? true : floating(external, settings)
            }
        } else {
            level = floating(external, settings)
        }
        guard level != current else { return }
        let now = clock.now
        state.lines[offset].level = level
        state.lines[offset].history.append(LevelChange(time: now, level: level))
        if state.lines[offset].history.count > 2 * historyLimit {
            state.lines[offset].history.removeFirst(historyLimit)
        }
        if let id = requestID, let settings, settings.direction == .input {
            let logical = level != settings.activeLow
            if let event = state.requests[id]?.filter.observe(offset: offset, value: logical, at: now) {
                state.requests[id]?.events.append(event)
            }
        }
    }

    private func floating(_ external: Bool?, _ settings: LineSettings?) -> Bool {
        if let external { return external }
        switch settings?.bias {
        case .pullUp: return true
        default: return false
        }
    }

    // MARK: GPIOChip

    public func lineInfo(_ offset: Int) throws(HALError) -> LineInfo {
        try checkOffset(offset, "line-info")
        return state.withLock { state in
            let line = state.lines[offset]
            guard let id = line.request, let request = state.requests[id] else {
                return LineInfo(offset: offset, name: line.name)
            }
            return LineInfo(
                offset: offset, name: line.name, consumer: request.consumer, isUsed: true,
                direction: request.settings.direction, activeLow: request.settings.activeLow,
                bias: request.settings.bias, drive: request.settings.drive)
        }
    }

    public func requestLines(_ offsets: [Int], settings: LineSettings, consumer: String) throws(HALError) -> any LineRequest {
        guard !offsets.isEmpty, Set(offsets).count == offsets.count else {
            throw HALError(.invalidArgument, operation: "request-lines", target: info.label, message: "offsets must be distinct and not empty")
        }
        for offset in offsets { try checkOffset(offset, "request-lines") }
        let id = try state.withLock { state throws(HALError) -> UInt64 in
            if let taken = offsets.first(where: { state.lines[$0].request != nil }) {
                let holder = state.lines[taken].request.flatMap { state.requests[$0]?.consumer } ?? "?"
                throw HALError(.busy, operation: "request-lines", target: "\(info.label):\(taken)", message: "line is held by '\(holder)'")
            }
            let id = state.nextRequest
            state.nextRequest += 1
            var request = RequestState(offsets: offsets, settings: settings, consumer: consumer, filter: EdgeFilter(settings: settings, initialValues: [:]))
            if settings.direction == .output {
                for offset in offsets { request.outputs[offset] = settings.initialValue }
            }
            state.requests[id] = request
            for offset in offsets {
                state.lines[offset].request = id
                settle(offset, in: &state)
            }
            let initial = Dictionary(uniqueKeysWithValues: offsets.map { ($0, state.lines[$0].level != settings.activeLow) })
            // Watching starts from the levels the request settled to: no events for that.
            state.requests[id]!.filter = EdgeFilter(settings: settings, initialValues: initial)
            state.requests[id]!.events = []
            return id
        }
        changed.fire()
        return SimulatedLineRequest(chip: self, id: id, offsets: offsets, settings: settings)
    }

    private func checkOffset(_ offset: Int, _ operation: String) throws(HALError) {
        guard offset >= 0 && offset < info.lineCount else {
            throw HALError(.invalidArgument, operation: operation, target: "\(info.label):\(offset)", message: "chip has \(info.lineCount) lines")
        }
    }

    // MARK: Requests

    func values(_ id: UInt64) throws(HALError) -> [Bool] {
        try state.withLock { state throws(HALError) in
            guard let request = state.requests[id] else { throw released("get-values") }
            return request.offsets.map { state.lines[$0].level != request.settings.activeLow }
        }
    }

    func setValues(_ id: UInt64, _ values: [Bool]) throws(HALError) {
        try state.withLock { state throws(HALError) in
            guard var request = state.requests[id] else { throw released("set-values") }
            guard request.settings.direction == .output else {
                throw HALError(.invalidArgument, operation: "set-values", target: info.label, message: "lines were requested as inputs")
            }
            guard values.count == request.offsets.count else {
                throw HALError(.invalidArgument, operation: "set-values", target: info.label, message: "expected \(request.offsets.count) values, got \(values.count)")
            }
            for (offset, value) in zip(request.offsets, values) { request.outputs[offset] = value }
            state.requests[id] = request
            for offset in request.offsets { settle(offset, in: &state) }
        }
        changed.fire()
    }

    func waitForEdgeEvents(_ id: UInt64, deadline: MonotonicInstant) async throws(HALError) -> [EdgeEvent] {
        while true {
            let generation = changed.generation
            let now = clock.now
            let (events, confirmation) = try state.withLock { state throws(HALError) in
                guard var request = state.requests[id] else { throw released("wait-edge-events") }
                request.events += request.filter.confirm(now: now)
                let events = request.events
                request.events = []
                state.requests[id] = request
                return (events, request.filter.nextConfirmation)
            }
            if !events.isEmpty || now >= deadline { return events }
            try await changed.wait(untilChangedFrom: generation, deadline: min(deadline, confirmation ?? deadline))
        }
    }

    func release(_ id: UInt64) {
        let released = state.withLock { state -> Bool in
            guard let request = state.requests.removeValue(forKey: id) else { return false }
            for offset in request.offsets {
                state.lines[offset].request = nil
                settle(offset, in: &state)
            }
            return true
        }
        if released { changed.fire() }
    }

    private func released(_ operation: String) -> HALError {
        HALError(.closed, operation: operation, target: info.label, message: "lines were released")
    }
}

/// Lines of a ``SimulatedGPIOChip`` held by one consumer.
public final class SimulatedLineRequest: LineRequest {
    let chip: SimulatedGPIOChip
    let id: UInt64
    public let offsets: [Int]
    public let settings: LineSettings

    init(chip: SimulatedGPIOChip, id: UInt64, offsets: [Int], settings: LineSettings) {
        self.chip = chip
        self.id = id
        self.offsets = offsets
        self.settings = settings
    }

    public var chipName: String { chip.info.name }
    public var clock: any HALClock { chip.clock }
    public func values() throws(HALError) -> [Bool] { try chip.values(id) }
    public func setValues(_ values: [Bool]) throws(HALError) { try chip.setValues(id, values) }
    public func waitForEdgeEvents(deadline: MonotonicInstant) async throws(HALError) -> [EdgeEvent] {
        try await chip.waitForEdgeEvents(id, deadline: deadline)
    }
    public func release() { chip.release(id) }
    deinit { chip.release(id) }
}
