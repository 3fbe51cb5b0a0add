import CGPIOD
import Glibc
import HAL
import Synchronization
import SystemCalls

/// Lines of a ``LinuxGPIOChip`` requested together through libgpiod.
///
/// Values are logical: libgpiod applies active-low. Edge timestamps are the kernel's, on
/// `CLOCK_MONOTONIC` (``SystemClock``). How edges are chosen and debounced depends on the
/// libgpiod API (see ``GPIODRequestPlan``):
/// - v2: the kernel reports only the edges asked for and debounces them itself. It stamps a
///   debounced edge when the period ends; this request reports it stamped a period earlier,
///   when the line settled, as HAL's contract says (to within the kernel's timer tick and its
///   latency: a few milliseconds). While a line is debounced, ``values()`` reads its debounced
///   value.
/// - v1: the kernel reports both edges on every line and HAL's ``EdgeFilter`` keeps the ones
///   the settings ask for, debouncing them in software when ``LineSettings/debounce`` is set:
///   a debounced edge is reported once the line has held its value for the period, stamped
///   with the time it settled.
///
/// Waits run on a private serial queue, never on Swift's cooperative thread pool; cancelling
/// the waiting task ends a wait with ``HALError/Kind/cancelled``. ``release()`` hands the lines
/// back (also on deinit); afterwards every call throws ``HALError/Kind/closed``.
public final class LinuxLineRequest: LineRequest {
    public let chipName: String
    public let offsets: [Int]
    public let settings: LineSettings
    /// The system's monotonic clock, the one the kernel stamps edge events with.
    public var clock: any HALClock { SystemClock() }
    /// The debounce period the kernel applies to these lines (libgpiod v2); nil if it does not
    /// debounce them (no debounce asked for, or v1, where this request debounces in software).
    public let kernelDebounce: Duration?

    private let chip: GPIOChipHandle
    private let waiter: DescriptorWaiter
    private let state: Mutex<State>
    /// How errors name these lines: `gpiochip0:17,27`.
    private let target: String

    private struct State {
        /// The CGPIOD request; nil once released.
        var request: OpaquePointer?
        /// Chooses and debounces the kernel's edges (v1); nil where the kernel does (v2).
        var edgeFilter: EdgeFilter?
        /// The descriptors edge events arrive on: one per line (v1) or one for all (v2);
        /// empty without edge detection.
        let eventDescriptors: [Int32]
    }

    /// Requests `offsets` (already checked against the chip) with `settings` for `consumer`.
    init(
        chip: GPIOChipHandle, chipName: String, offsets: [Int], settings: LineSettings, consumer: String
    ) throws(HALError) {
        let target = "\(chipName):" + offsets.map(String.init).joined(separator: ",")
        let plan = try GPIODRequestPlan(settings: settings, lineCount: offsets.count, target: target)
        waiter = try DescriptorWaiter(label: "vigil.gpio \(target)", target: target)
        let state = try chip.withChip { chip throws(HALError) in
            try Self.request(offsets, of: chip, settings: settings, plan: plan, consumer: consumer, target: target)
        }
        self.state = Mutex(state)
        self.chip = chip
        self.chipName = chipName
        self.offsets = offsets
        self.settings = settings
        self.target = target
        kernelDebounce = plan.kernelDebounce
    }

    deinit {
        state.withLock { state in releaseLines(&state) }
    }

    /// Makes the request; called with the chip's lock held.
    private static func request(
        _ offsets: [Int], of chip: OpaquePointer, settings: LineSettings, plan: GPIODRequestPlan, consumer: String,
        target: String
    ) throws(HALError) -> State {
        let lineOffsets = offsets.map { UInt32(clamping: $0) }
        var config = plan.settings
        let request = try gpiodCall(target: target) {
            consumer.withCString { consumer in
                vigil_gpiod_request_lines(chip, consumer, lineOffsets, lineOffsets.count, &config)
            }
        }
        do throws(HALError) {
            var descriptors: [Int32] = []
            for index in 0..<vigil_gpiod_request_event_fd_count(request) {
                descriptors.append(try gpiodCall(target: target) { vigil_gpiod_request_event_fd(request, index) })
            }
            guard plan.filtersEdges else {
                return State(request: request, edgeFilter: nil, eventDescriptors: descriptors)
            }
            let values = try Self.values(of: request, count: offsets.count, target: target)
            let current = Dictionary(uniqueKeysWithValues: zip(offsets, values))
            return State(
                request: request, edgeFilter: EdgeFilter(settings: settings, initialValues: current),
                eventDescriptors: descriptors)
        } catch {
            vigil_gpiod_request_release(request)
            throw error
        }
    }

    private static func values(of request: OpaquePointer, count: Int, target: String) throws(HALError) -> [Bool] {
        var values = [Int32](repeating: 0, count: count)
        try gpiodCall(target: target) { vigil_gpiod_request_get_values(request, &values) }
        return values.map { $0 != 0 }
    }

    /// The logical value of every line, in the order of ``offsets``.
    public func values() throws(HALError) -> [Bool] {
        try withRequest("get-values") { request throws(HALError) in
            try Self.values(of: request, count: offsets.count, target: target)
        }
    }

    /// Drives the lines to the logical `values`, one per offset. Throws
    /// ``HALError/Kind/invalidArgument`` if the lines are inputs or the count is wrong.
    public func setValues(_ values: [Bool]) throws(HALError) {
        guard settings.direction == .output else {
            throw HALError(.invalidArgument, operation: "set-values", target: target, message: "the lines are inputs")
        }
        guard values.count == offsets.count else {
            throw HALError(
                .invalidArgument, operation: "set-values", target: target,
                message: "\(values.count) values for \(offsets.count) lines")
        }
        let levels = values.map { Int32($0 ? 1 : 0) }
        try withRequest("set-values") { request throws(HALError) in
            _ = try gpiodCall(target: target) { vigil_gpiod_request_set_values(request, levels) }
        }
    }

    /// The edges seen since the last call, in time order, waiting until there is at least one
    /// or `deadline` passes ([] then). Throws ``HALError/Kind/invalidArgument`` if the lines
    /// were requested without edge detection.
    public func waitForEdgeEvents(deadline: MonotonicInstant) async throws(HALError) -> [EdgeEvent] {
        guard settings.edgeDetection != .none else {
            throw HALError(
                .invalidArgument, operation: "wait-edge-events", target: target,
                message: "the lines do not detect edges")
        }
        return try await waiter.run { scope throws(HALError) in
            let clock = SystemClock()
            while true {
                let now = clock.now
                let (descriptors, confirmed, nextConfirmation) = try self.withState("wait-edge-events") { state in
                    let confirmed = state.edgeFilter?.confirm(now: now) ?? []
                    return (state.eventDescriptors, confirmed, state.edgeFilter?.nextConfirmation)
                }
                if !confirmed.isEmpty { return confirmed }
                if now >= deadline { return [] }
                let watched = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                let wakeAt = min(deadline, nextConfirmation ?? .distantFuture)
                let outcome = try scope.wait(
                    for: watched, until: wakeAt, operation: "wait-edge-events", target: self.target)
                if case .ready = outcome {
                    let events = try self.readPendingEvents()
                    if !events.isEmpty { return events }
                }
            }
        }
    }

    /// Hands the lines back and ends a wait in progress. Releasing twice is harmless.
    public func release() {
        state.withLock { state in releaseLines(&state) }
        waiter.interrupt()
    }

    private func releaseLines(_ state: inout State) {
        guard let request = state.request else { return }
        state.request = nil
        chip.withChip { _ in vigil_gpiod_request_release(request) }
    }

    /// Reads every event the kernel has queued and returns the edges to report, in time order.
    /// On v1 they pass through the edge filter, and debounced edges are confirmed only as of a
    /// moment taken before the queues were emptied, so that no bounce already queued is missed.
    private func readPendingEvents() throws(HALError) -> [EdgeEvent] {
        try withState("read-edge-events") { state throws(HALError) in
            guard let request = state.request else { throw released("read-edge-events") }
            let now = SystemClock().now
            var raw: [vigil_gpiod_edge_event] = []
            var watched = state.eventDescriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            while try systemCall("poll", target: target, { poll(&watched, nfds_t(watched.count), 0) }) > 0 {
                for (index, descriptor) in watched.enumerated() where descriptor.revents != 0 {
                    guard descriptor.revents & Int16(POLLIN) != 0 else {
                        throw HALError(
                            .disconnected, operation: "poll", target: target, message: "the GPIO chip went away")
                    }
                    raw += try readEvents(from: request, descriptor: index)
                }
            }
            let ordered = raw.enumerated().sorted {
                ($0.element.timestamp_ns, $0.offset) < ($1.element.timestamp_ns, $1.offset)
            }.map(\.element)
            guard var filter = state.edgeFilter else {
                let settling = kernelDebounce ?? .zero
                return ordered.map { event in
                    EdgeEvent(
                        kind: event.rising ? .rising : .falling, offset: Int(event.offset),
                        timestamp: event.timestamp.advanced(by: .zero - settling))
                }
            }
            defer { state.edgeFilter = filter }
            var events = ordered.compactMap { event in
                filter.observe(offset: Int(event.offset), value: event.rising, at: event.timestamp)
            }
            events += filter.confirm(now: now)
            return events.sorted { $0.timestamp < $1.timestamp }
        }
    }

    /// Reads, in one go, up to as many events as the kernel queues for the request from the
    /// `index`th event descriptor, which poll found readable.
    private func readEvents(from request: OpaquePointer, descriptor index: Int) throws(HALError) -> [vigil_gpiod_edge_event] {
        let capacity = min(Libgpiod.api.queuedEventsPerLine * offsets.count, Libgpiod.maximumQueuedEvents)
        var buffer = [vigil_gpiod_edge_event](repeating: vigil_gpiod_edge_event(), count: capacity)
        let count = try chip.withChip { _ throws(HALError) in
            try gpiodCall(target: target) { vigil_gpiod_request_read_events(request, index, &buffer, buffer.count) }
        }
        return Array(buffer.prefix(Int(count)))
    }

    /// Runs `body` on the CGPIOD request with the request's and the chip's locks held; throws
    /// ``HALError/Kind/closed`` naming `operation` once the lines are released.
    private func withRequest<Value: Sendable>(
        _ operation: String, _ body: (OpaquePointer) throws(HALError) -> Value
    ) throws(HALError) -> Value {
        try withState(operation) { state throws(HALError) in
            guard let request = state.request else { throw released(operation) }
            return try chip.withChip { _ throws(HALError) in try body(request) }
        }
    }

    /// Runs `body` on the request's state with its lock held; throws ``HALError/Kind/closed``
    /// naming `operation` once the lines are released.
    private func withState<Value: Sendable>(
        _ operation: String, _ body: (inout State) throws(HALError) -> Value
    ) throws(HALError) -> Value {
        try state.withLock { state throws(HALError) in
            guard state.request != nil else { throw released(operation) }
            return try body(&state)
        }
    }

    private func released(_ operation: String) -> HALError {
        HALError(.closed, operation: operation, target: target, message: "the lines were released")
    }
}

extension vigil_gpiod_edge_event {
    /// When the kernel saw the edge, on `CLOCK_MONOTONIC`.
    var timestamp: MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(clamping: timestamp_ns))
    }
}
