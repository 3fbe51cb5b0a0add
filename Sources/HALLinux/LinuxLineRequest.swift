import CGPIOD
import Glibc
import HAL
import Synchronization

/// Lines of a ``LinuxGPIOChip`` requested together through libgpiod 1.6.
///
/// Values are logical: libgpiod applies active-low. A request that watches edges asks the
/// kernel for both edges on every line and passes them through HAL's ``EdgeFilter``, which
/// keeps the ones the settings ask for and debounces them in software when
/// ``LineSettings/debounce`` is set (the v1 interface has no kernel debounce). Edge timestamps
/// are the kernel's, on `CLOCK_MONOTONIC` (``SystemClock``); a debounced edge is reported once
/// the line has held its value for the period, stamped with the time it settled.
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

    private let chip: GPIOChipHandle
    private let waiter: DescriptorWaiter
    private let state: Mutex<State>
    /// How errors name these lines: `gpiochip0:17,27`.
    private let target: String

    private struct State {
        var lines: gpiod_line_bulk
        var isReleased = false
        var edgeFilter: EdgeFilter
        /// Each line's event descriptor, in the order of `offsets`; empty without edge detection.
        let eventDescriptors: [Int32]
    }

    /// Requests `offsets` (already checked against the chip) with `settings` for `consumer`.
    init(
        chip: GPIOChipHandle, chipName: String, offsets: [Int], settings: LineSettings, consumer: String
    ) throws(HALError) {
        let target = "\(chipName):" + offsets.map(String.init).joined(separator: ",")
        let plan = try GPIODRequestPlan(settings: settings, target: target)
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
    }

    deinit {
        state.withLock { state in releaseLines(&state) }
    }

    /// Makes the request; called with the chip's lock held.
    private static func request(
        _ offsets: [Int], of chip: OpaquePointer, settings: LineSettings, plan: GPIODRequestPlan, consumer: String,
        target: String
    ) throws(HALError) -> State {
        var lines = gpiod_line_bulk()
        var lineOffsets = offsets.map { UInt32(clamping: $0) }
        try systemCall("gpiod_chip_get_lines", target: target) {
            gpiod_chip_get_lines(chip, &lineOffsets, UInt32(lineOffsets.count), &lines)
        }
        let initialValues = offsets.map { _ in Int32(settings.initialValue ? 1 : 0) }
        try systemCall("gpiod_line_request_bulk", target: target) {
            consumer.withCString { consumer in
                var config = gpiod_line_request_config(
                    consumer: consumer, request_type: plan.requestType, flags: plan.flags)
                return gpiod_line_request_bulk(&lines, &config, initialValues)
            }
        }
        guard plan.watchesEdges else {
            return State(
                lines: lines, edgeFilter: EdgeFilter(settings: settings, initialValues: [:]), eventDescriptors: [])
        }
        do throws(HALError) {
            var descriptors: [Int32] = []
            for index in offsets.indices {
                let line = gpiod_line_bulk_get_line(&lines, UInt32(index))
                descriptors.append(
                    try systemCall("gpiod_line_event_get_fd", target: target) { gpiod_line_event_get_fd(line) })
            }
            var values = [Int32](repeating: 0, count: offsets.count)
            try systemCall("gpiod_line_get_value_bulk", target: target) { gpiod_line_get_value_bulk(&lines, &values) }
            let current = Dictionary(uniqueKeysWithValues: zip(offsets, values.map { $0 != 0 }))
            return State(
                lines: lines, edgeFilter: EdgeFilter(settings: settings, initialValues: current),
                eventDescriptors: descriptors)
        } catch {
            gpiod_line_release_bulk(&lines)
            throw error
        }
    }

    /// The logical value of every line, in the order of ``offsets``.
    public func values() throws(HALError) -> [Bool] {
        try withLines("gpiod_line_get_value_bulk") { lines throws(HALError) in
            var values = [Int32](repeating: 0, count: offsets.count)
            try systemCall("gpiod_line_get_value_bulk", target: target) { gpiod_line_get_value_bulk(&lines, &values) }
            return values.map { $0 != 0 }
        }
    }

    /// Drives the lines to the logical `values`, one per offset. Throws
    /// ``HALError/Kind/invalidArgument`` if the lines are inputs or the count is wrong.
    public func setValues(_ values: [Bool]) throws(HALError) {
        guard settings.direction == .output else {
            throw HALError(
                .invalidArgument, operation: "gpiod_line_set_value_bulk", target: target,
                message: "the lines are inputs")
        }
        guard values.count == offsets.count else {
            throw HALError(
                .invalidArgument, operation: "gpiod_line_set_value_bulk", target: target,
                message: "\(values.count) values for \(offsets.count) lines")
        }
        let levels = values.map { Int32($0 ? 1 : 0) }
        try withLines("gpiod_line_set_value_bulk") { lines throws(HALError) in
            _ = try systemCall("gpiod_line_set_value_bulk", target: target) {
                gpiod_line_set_value_bulk(&lines, levels)
            }
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
                    let confirmed = state.edgeFilter.confirm(now: now)
                    return (state.eventDescriptors, confirmed, state.edgeFilter.nextConfirmation)
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

    /// Hands the lines back (`gpiod_line_release_bulk`) and ends a wait in progress. Releasing
    /// twice is harmless.
    public func release() {
        state.withLock { state in releaseLines(&state) }
        waiter.interrupt()
    }

    private func releaseLines(_ state: inout State) {
        guard !state.isReleased else { return }
        state.isReleased = true
        chip.withChip { _ in gpiod_line_release_bulk(&state.lines) }
    }

    /// Reads every event the kernel has queued, on every line, and passes them through the
    /// edge filter in time order. Debounced edges are confirmed only as of a moment taken
    /// before the queues were emptied, so no bounce already queued is missed.
    private func readPendingEvents() throws(HALError) -> [EdgeEvent] {
        try withState("gpiod_line_event_read_fd_multiple") { state throws(HALError) in
            let now = SystemClock().now
            var raw: [(offset: Int, event: gpiod_line_event)] = []
            var watched = state.eventDescriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            while try systemCall("poll", target: target, { poll(&watched, nfds_t(watched.count), 0) }) > 0 {
                for (index, descriptor) in watched.enumerated() where descriptor.revents != 0 {
                    guard descriptor.revents & Int16(POLLIN) != 0 else {
                        throw HALError(
                            .disconnected, operation: "poll", target: target, message: "the GPIO chip went away")
                    }
                    raw += try readEvents(from: descriptor.fd).map { (offsets[index], $0) }
                }
            }
            var events: [EdgeEvent] = []
            let ordered = raw.enumerated().sorted {
                ($0.element.event.timestamp, $0.offset) < ($1.element.event.timestamp, $1.offset)
            }
            for (_, (offset, event)) in ordered {
                let rising = event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE)
                if let edge = state.edgeFilter.observe(offset: offset, value: rising, at: event.timestamp) {
                    events.append(edge)
                }
            }
            events += state.edgeFilter.confirm(now: now)
            return events.sorted { $0.timestamp < $1.timestamp }
        }
    }

    private func readEvents(from descriptor: Int32) throws(HALError) -> [gpiod_line_event] {
        var buffer = [gpiod_line_event](repeating: gpiod_line_event(), count: 16)
        let count = try systemCall("gpiod_line_event_read_fd_multiple", target: target) {
            gpiod_line_event_read_fd_multiple(descriptor, &buffer, UInt32(buffer.count))
        }
        return Array(buffer.prefix(Int(count)))
    }

    /// Runs `body` on the held lines with the request's and the chip's locks held; throws
    /// ``HALError/Kind/closed`` naming `operation` once the lines are released.
    private func withLines<Value: Sendable>(
        _ operation: String, _ body: (inout gpiod_line_bulk) throws(HALError) -> Value
    ) throws(HALError) -> Value {
        try withState(operation) { state throws(HALError) in
            try chip.withChip { _ throws(HALError) in try body(&state.lines) }
        }
    }

    /// Runs `body` on the request's state with its lock held; throws ``HALError/Kind/closed``
    /// naming `operation` once the lines are released.
    private func withState<Value: Sendable>(
        _ operation: String, _ body: (inout State) throws(HALError) -> Value
    ) throws(HALError) -> Value {
        try state.withLock { state throws(HALError) in
            guard !state.isReleased else {
                throw HALError(.closed, operation: operation, target: target, message: "the lines were released")
            }
            return try body(&state)
        }
    }
}

extension gpiod_line_event {
    /// When the kernel saw the edge, on `CLOCK_MONOTONIC`.
    var timestamp: MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }
}
