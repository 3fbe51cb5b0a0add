import Foundation
import HAL
import Synchronization

/// A simulated serial cable between a host (the controller) and a device (a camera).
///
/// Bytes are paced at the sender's configuration: each character takes
/// `bitsPerCharacter / baud` seconds on the wire (10 bit times for 8N1), one after another,
/// on the link's ``VirtualClock``. When the two ends are set to different bauds the receiver
/// gets garbage, as a real UART would: a different number of bytes, none of them the ones
/// sent. A ``FaultPlan`` drops, corrupts, stalls or cuts the traffic, reproducibly.
///
/// Like a UART's receive FIFO or a USB adapter's packets, a waiting reader is handed bytes in
/// chunks of up to ``receiveChunk``, or as soon as the line has nothing more in flight.
public final class SimulatedSerialLink: Sendable {
    /// The controller's end.
    public let host: SimulatedSerialPort
    /// The device's end, where an emulator reads commands and writes replies.
    public let device: SimulatedSerialPort
    let core: LinkCore

    /// - Parameters:
    ///   - configuration: both ends' initial configuration.
    ///   - name: the host end's port name; the device end is called `name` + `#device`.
    /// The most bytes a waiting reader is woken for at once.
    public var receiveChunk: Int { core.receiveChunk }

    public init(
        clock: VirtualClock, configuration: SerialConfiguration, faults: FaultPlan = .none,
        name: String = "sim:serial0", receiveChunk: Int = 64
    ) {
        core = LinkCore(clock: clock, configuration: configuration, faults: faults, receiveChunk: receiveChunk)
        host = SimulatedSerialPort(core: core, side: .host, name: name)
        device = SimulatedSerialPort(core: core, side: .device, name: name + "#device")
    }

    /// Cuts the cable now: bytes in flight and bytes sent meanwhile are lost. With
    /// `portVanishes` the host end fails with `disconnected` until ``replug()``.
    public func unplug(portVanishes: Bool = false) { core.unplug(portVanishes: portVanishes) }

    /// Reconnects the cable.
    public func replug() { core.replug() }

    /// Replaces the fault plan for bytes sent from now on; its byte indices and times count
    /// from this call.
    public func setFaults(_ faults: FaultPlan) { core.setFaults(faults) }

    /// Gives the device a UART receive FIFO of `capacity` bytes (nil: unbounded, the
    /// default): a byte sent while `capacity` bytes are already in flight or waiting to be
    /// read is dropped, as a real UART drops on overrun, and counted in ``deviceOverruns``.
    /// A sender faster than the wire (a program writing to a pseudo-terminal) then costs the
    /// device at most `capacity` bytes of wire time, however much it sends.
    public func setDeviceReceiveFIFO(_ capacity: Int?) { core.setReceiveFIFO(capacity, at: .device) }

    /// Bytes the device's receive FIFO dropped on overrun since the link was made.
    public var deviceOverruns: Int { core.overruns(at: .device) }
}

enum LinkSide: Sendable {
    case host, device
    var other: LinkSide { self == .host ? .device : .host }
}

/// Bytes travelling one way: each with the instant its last bit arrives.
struct Lane {
    var bytes: [UInt8] = []
    var starts: [Int64] = []
    var arrivals: [Int64] = []
    var head = 0
    var lineFreeAt = MonotonicInstant.zero
    /// The part of a nanosecond, in units of 1/baud ns, by which the line is free later than
    /// `lineFreeAt`: keeps long transfers exact instead of rounding every character.
    var lineFreeRemainder: Int64 = 0
    var sent = 0
    var random: SeededRandom
    var garbleCredit = 0.0
    /// Bits still to arrive intact before the next flipped one; nil until drawn. One draw per
    /// flip (a geometric gap) instead of one per bit keeps a long transfer cheap.
    var bitsBeforeFlip: Int?
    /// The receiver's FIFO: the most bytes in flight or unread at once; nil for unbounded.
    var fifoCapacity: Int?
    /// Bytes dropped because the FIFO was full.
    var overruns = 0

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// Whether the FIFO is full: one more byte would overrun it.
    var isFull: Bool {
        guard let fifoCapacity else { return false }
        return arrivals.count - head >= fifoCapacity
    }

    /// Restarts the lane's randomness, as a new fault plan takes effect.
    mutating func reseed(_ seed: UInt64) {
        sent = 0
        random = SeededRandom(seed: seed)
        bitsBeforeFlip = nil
    }

    /// `value` with each of its `dataBits` bits inverted with probability `rate`, independently.
    mutating func flipBits(of value: UInt8, dataBits: Int, rate: Double) -> UInt8 {
        var value = value
        var position = 0
        while true {
            let gap = bitsBeforeFlip ?? drawGap(rate: rate)
            if position + gap >= dataBits {
                bitsBeforeFlip = gap - (dataBits - position)
                return value
            }
            position += gap
            value ^= 1 << position
            position += 1
            bitsBeforeFlip = nil
        }
    }

    /// The number of intact bits before the next flip: geometric with success rate `rate`.
    private mutating func drawGap(rate: Double) -> Int {
        guard rate < 1 else { return 0 }
        let gap = log(1 - random.nextUnit()) / log1p(-rate)
        return gap < 1e15 ? Int(gap) : Int(1e15)
    }

    /// How many bytes have arrived by `now` and are not read yet.
    func available(now: MonotonicInstant) -> Int {
        // Arrival times never decrease along the lane: search rather than count.
        var low = head, high = arrivals.count
        while low < high {
            let middle = (low + high) / 2
            if arrivals[middle] <= now.nanoseconds { low = middle + 1 } else { high = middle }
        }
        return low - head
    }

    /// When the `count`th byte still to be read arrives (or the last one in flight, if fewer).
    func arrival(ofByte count: Int) -> MonotonicInstant? {
        guard head < arrivals.count else { return nil }
        return MonotonicInstant(nanoseconds: arrivals[min(head + max(count, 1) - 1, arrivals.count - 1)])
    }

    mutating func take(_ count: Int) -> [UInt8] {
        let taken = Array(bytes[head..<head + count])
        head += count
        // Forget what was read once it is most of the lane, so a lane holds about what is
        // in flight, not the whole history.
        if head == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            arrivals.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096 && head * 2 > bytes.count {
            bytes.removeFirst(head)
            starts.removeFirst(head)
            arrivals.removeFirst(head)
            head = 0
        }
        return taken
    }

    mutating func append(_ byte: UInt8, start: Int64, arrival: Int64) {
        bytes.append(byte)
        starts.append(start)
        arrivals.append(arrival)
    }

    /// Forgets every byte from index `end` on (arrived or not).
    mutating func truncate(to end: Int) {
        bytes.removeSubrange(end...)
        starts.removeSubrange(end...)
        arrivals.removeSubrange(end...)
    }

    /// Forgets bytes whose transmission has not started by `now`.
    mutating func dropUnsent(now: MonotonicInstant) {
        var keep = arrivals.count
        while keep > head, starts[keep - 1] > now.nanoseconds { keep -= 1 }
        truncate(to: keep)
        lineFreeAt = min(lineFreeAt, max(now, keep > head ? MonotonicInstant(nanoseconds: arrivals[keep - 1]) : now))
        lineFreeRemainder = 0
    }
}

/// The two lanes of a link, by receiving side, changed in place: a lane copied out and
/// written back would copy its whole buffer on every write.
struct Lanes {
    var host: Lane
    var device: Lane

    subscript(side: LinkSide) -> Lane { side == .host ? host : device }

    mutating func modify<R, E: Error>(_ side: LinkSide, _ body: (inout Lane) throws(E) -> R) throws(E) -> R {
        switch side {
        case .host: try body(&host)
        case .device: try body(&device)
        }
    }
}

final class LinkCore: Sendable {
    struct State {
        var configuration: [LinkSide: SerialConfiguration]
        var lanes: Lanes
        var closed: Set<LinkSide> = []
        var faults: FaultPlan
        var faultsSince: MonotonicInstant
        var unpluggedSince: MonotonicInstant?
        var portVanished = false
    }

    let clock: VirtualClock
    let state: Mutex<State>
    let arrivals: [LinkSide: SimulationSignal]
    let receiveChunk: Int

    init(clock: VirtualClock, configuration: SerialConfiguration, faults: FaultPlan, receiveChunk: Int) {
        self.clock = clock
        self.receiveChunk = max(receiveChunk, 1)
        state = Mutex(State(
            configuration: [.host: configuration, .device: configuration],
            lanes: Lanes(host: Lane(seed: faults.seed ^ 0x486F_7374), device: Lane(seed: faults.seed ^ 0x4465_7669)),
            faults: faults, faultsSince: clock.now))
        arrivals = [.host: SimulationSignal(clock: clock), .device: SimulationSignal(clock: clock)]
    }

    func configuration(of side: LinkSide) -> SerialConfiguration {
        state.withLock { $0.configuration[side]! }
    }

    private func checkOpen(_ state: State, _ side: LinkSide, _ name: String, _ operation: String) throws(HALError) {
        if state.closed.contains(side) {
            throw HALError(.closed, operation: operation, target: name, message: "port is closed")
        }
        let now = clock.now
        let vanished = side == .host
            && (state.portVanished || state.faults.unplugs.contains { $0.portVanishes && $0.covers(state.faultsSince.duration(to: now)) })
        if vanished {
            throw HALError(.disconnected, operation: operation, target: name, message: "device unplugged")
        }
    }

    func reconfigure(_ side: LinkSide, _ configuration: SerialConfiguration, name: String) throws(HALError) {
        try configuration.validate(target: name)
        try state.withLock { state throws(HALError) in
            try checkOpen(state, side, name, "reconfigure")
            state.configuration[side] = configuration
        }
    }

    func write(_ bytes: [UInt8], from side: LinkSide, name: String) throws(HALError) {
        let receiver = side.other
        try state.withLock { state throws(HALError) in
            try checkOpen(state, side, name, "write")
            let now = clock.now.nanoseconds
            let sender = state.configuration[side]!
            let listener = state.configuration[receiver]!
            let characterBits = Int64(sender.bitsPerCharacter) * 1_000_000_000
            let baud = Int64(sender.baudRate)
            let dataBits = sender.dataBits
            let faults = state.faults.applies(to: side == .host ? .toDevice : .toHost) ? state.faults : .none
            let mismatch = sender.baudRate != listener.baudRate || sender.dataBits != listener.dataBits
                || sender.parity != listener.parity
            // Everything per byte in plain integers and comparisons: this loop carries every
            // simulated byte, and runs unoptimised in tests.
            let unpluggedSince = state.unpluggedSince?.nanoseconds ?? .max
            let faultsSince = state.faultsSince.nanoseconds
            let cuts = faults.unplugs.map { unplug in
                (from: faultsSince &+ unplug.at.nanoseconds, to: faultsSince &+ unplug.at.nanoseconds &+ unplug.duration.nanoseconds)
            }
            // Cheap bounds first: most bytes fall outside every unplugged window.
            let cutsFrom = cuts.map(\.from).min() ?? .max, cutsTo = cuts.map(\.to).max() ?? .min
            let drops = faults.droppedBytes.sorted()
            let stalls = faults.stalls.sorted { $0.atByte < $1.atByte }
            let flipRate = faults.bitFlipRate
            state.lanes.modify(receiver) { lane in
                var lineFreeAt = lane.lineFreeAt.nanoseconds
                var nextDrop = drops.firstIndex { $0 >= lane.sent } ?? drops.count
                var nextStall = stalls.firstIndex { $0.atByte >= lane.sent } ?? stalls.count
                var position = 0
                while position < bytes.count {
                    let byte = bytes[position]
                    position += 1
                    if lane.isFull {
                        lane.overruns += 1
                        continue
                    }
                    let index = lane.sent
                    lane.sent += 1
                    var start = lineFreeAt
                    if now > start {
                        start = now
                        lane.lineFreeRemainder = 0
                    }
                    while nextStall < stalls.count && stalls[nextStall].atByte == index {
                        start &+= stalls[nextStall].duration.nanoseconds
                        nextStall += 1
                    }
                    let elapsed = characterBits + lane.lineFreeRemainder
                    let arrival = start &+ elapsed / baud
                    lane.lineFreeRemainder = elapsed % baud
                    lineFreeAt = arrival
                    if nextDrop < drops.count && drops[nextDrop] == index {
                        nextDrop += 1
                        continue
                    }
                    if arrival >= unpluggedSince { continue }
                    if arrival >= cutsFrom && arrival < cutsTo && cuts.contains(where: { arrival >= $0.from && arrival < $0.to }) { continue }
                    let value = flipRate > 0 ? lane.flipBits(of: byte, dataBits: dataBits, rate: flipRate) : byte
                    if mismatch {
                        lane.garbleCredit += Double(listener.baudRate) / Double(sender.baudRate)
                        while lane.garbleCredit >= 1 {
                            lane.garbleCredit -= 1
                            lane.append(UInt8(truncatingIfNeeded: lane.random.next()), start: start, arrival: arrival)
                        }
                    } else {
                        lane.append(value, start: start, arrival: arrival)
                    }
                }
                lane.lineFreeAt = MonotonicInstant(nanoseconds: lineFreeAt)
            }
        }
        arrivals[receiver]!.fire()
    }

    func read(upTo maxCount: Int, deadline: MonotonicInstant, at side: LinkSide, name: String) async throws(HALError) -> [UInt8] {
        let signal = arrivals[side]!
        while true {
            let generation = signal.generation
            let now = clock.now
            let (taken, next): ([UInt8], MonotonicInstant?) = try state.withLock { state throws(HALError) in
                try checkOpen(state, side, name, "read")
                let wanted = min(max(maxCount, 0), receiveChunk)
                return state.lanes.modify(side) { lane in
                    let available = lane.available(now: now)
                    let lineIdle = lane.head + available == lane.arrivals.count
                    if available > 0 && (available >= wanted || lineIdle || now >= deadline) {
                        return (lane.take(min(available, max(maxCount, 0))), nil)
                    }
                    return ([], lane.arrival(ofByte: wanted))
                }
            }
            if !taken.isEmpty || maxCount <= 0 || now >= deadline { return taken }
            try await signal.wait(untilChangedFrom: generation, deadline: min(deadline, next ?? deadline))
        }
    }

    func drain(_ side: LinkSide, name: String) async throws(HALError) {
        let lineFree = try state.withLock { state throws(HALError) in
            try checkOpen(state, side, name, "drain")
            return state.lanes[side.other].lineFreeAt
        }
        do { try await clock.sleep(until: lineFree) } catch { throw HALError(.cancelled, operation: "drain", target: name) }
    }

    func flush(_ side: LinkSide, _ queues: SerialQueues, name: String) throws(HALError) {
        try state.withLock { state throws(HALError) in
            try checkOpen(state, side, name, "flush")
            let now = clock.now
            if queues != .output {
                _ = state.lanes.modify(side) { $0.take($0.available(now: now)) }
            }
            if queues != .input { state.lanes.modify(side.other) { $0.dropUnsent(now: now) } }
        }
    }

    func close(_ side: LinkSide) {
        state.withLock { _ = $0.closed.insert(side) }
        arrivals[side]!.fire()
    }

    func reopen(_ side: LinkSide) {
        let now = clock.now
        state.withLock { state in
            guard state.closed.remove(side) != nil else { return }
            _ = state.lanes.modify(side) { $0.take($0.available(now: now)) }
        }
    }

    func unplug(portVanishes: Bool) {
        let now = clock.now
        state.withLock { state in
            state.unpluggedSince = now
            state.portVanished = portVanishes
            for side in [LinkSide.host, .device] {
                state.lanes.modify(side) { $0.truncate(to: $0.head + $0.available(now: now)) }
            }
        }
        arrivals[.host]!.fire()
        arrivals[.device]!.fire()
    }

    func replug() {
        state.withLock { state in
            state.unpluggedSince = nil
            state.portVanished = false
        }
    }

    func setReceiveFIFO(_ capacity: Int?, at side: LinkSide) {
        state.withLock { state in state.lanes.modify(side) { $0.fifoCapacity = capacity.map { max($0, 1) } } }
    }

    func overruns(at side: LinkSide) -> Int {
        state.withLock { $0.lanes[side].overruns }
    }

    func setFaults(_ faults: FaultPlan) {
        let now = clock.now
        state.withLock { state in
            state.faults = faults
            state.faultsSince = now
            state.lanes.host.reseed(faults.seed ^ 0x486F_7374)
            state.lanes.device.reseed(faults.seed ^ 0x4465_7669)
        }
    }
}

/// One end of a ``SimulatedSerialLink``.
public final class SimulatedSerialPort: SerialPort {
    public let name: String
    let core: LinkCore
    let side: LinkSide

    init(core: LinkCore, side: LinkSide, name: String) {
        self.core = core
        self.side = side
        self.name = name
    }

    public var configuration: SerialConfiguration { core.configuration(of: side) }
    public var clock: any HALClock { core.clock }

    public func reconfigure(_ configuration: SerialConfiguration) async throws(HALError) {
        try core.reconfigure(side, configuration, name: name)
    }

    public func read(upTo maxCount: Int, deadline: MonotonicInstant) async throws(HALError) -> [UInt8] {
        try await core.read(upTo: maxCount, deadline: deadline, at: side, name: name)
    }

    public func write(_ bytes: [UInt8]) async throws(HALError) {
        try core.write(bytes, from: side, name: name)
    }

    public func drain() async throws(HALError) {
        try await core.drain(side, name: name)
    }

    public func flush(_ queues: SerialQueues) async throws(HALError) {
        try core.flush(side, queues, name: name)
    }

    public func close() async { core.close(side) }

    /// Opens the port again after ``close()``, as a device file is opened again; what arrived
    /// while it was closed is gone. Does nothing to an open port.
    public func reopen() { core.reopen(side) }
}
