import HAL
import HALLinux
import Testing

/// Requests on a gpio-sim chip, whose inputs the tests move through sysfs. Serialised: the
/// tests share the chip's lines.
@Suite(
    .serialized,
    .enabled(
        if: GPIOTestEnvironment.hasSimulatedChip,
        "needs a gpio-sim chip (the QEMU test board has one); this machine has none"))
struct LinuxLineRequestTests {
    let clock = SystemClock()
    let consumer = "vigil-test"

    /// The simulated chip and the first `count` of its lines that no one holds.
    private func freeLines(_ count: Int) throws -> (chip: any GPIOChip, offsets: [Int]) {
        let chip = try #require(GPIOTestEnvironment.simulatedChip)
        let free = try chip.allLineInfo().filter { !$0.isUsed }.map(\.offset)
        try #require(free.count >= count)
        return (chip, Array(free.prefix(count)))
    }

    private func pull(_ chip: any GPIOChip, _ offset: Int, up: Bool) throws {
        try GPIOTestEnvironment.pull(chip: chip.info.name, offset: offset, up: up)
    }

    /// The kinds of the next edges `request` reports, waiting at most 2 s.
    private func nextEdgeKinds(_ request: any LineRequest) async throws -> [EdgeEvent.Kind] {
        try await request.waitForEdgeEvents(deadline: clock.deadline(after: .seconds(2))).map(\.kind)
    }

    @Test func outputsAreDrivenToTheirLogicalValues() throws {
        let (chip, offsets) = try freeLines(2)
        let request = try chip.requestLines(offsets, settings: .output(initialValue: true), consumer: consumer)
        defer { request.release() }
        #expect(try request.values() == [true, true])
        #expect(try GPIOTestEnvironment.level(chip: chip.info.name, offset: offsets[0]))

        try request.setValues([false, true])
        #expect(try request.values() == [false, true])
        #expect(try !GPIOTestEnvironment.level(chip: chip.info.name, offset: offsets[0]))

        let info = try chip.lineInfo(offsets[0])
        #expect(info.isUsed)
        #expect(info.consumer == consumer)
        #expect(info.direction == .output)
    }

    @Test func activeLowInvertsTheLevel() throws {
        let (chip, offsets) = try freeLines(1)
        let output = try chip.requestLines(
            offsets, settings: .output(initialValue: true, activeLow: true), consumer: consumer)
        #expect(try !GPIOTestEnvironment.level(chip: chip.info.name, offset: offsets[0]))
        #expect(try chip.lineInfo(offsets[0]).activeLow)
        output.release()

        try pull(chip, offsets[0], up: true)
        let input = try chip.requestLines(offsets, settings: .input(activeLow: true), consumer: consumer)
        defer { input.release() }
        #expect(try input.values() == [false])
    }

    @Test func inputsFollowTheSimulatedPull() throws {
        let (chip, offsets) = try freeLines(1)
        try pull(chip, offsets[0], up: true)
        let request = try chip.requestLines(offsets, settings: .input(), consumer: consumer)
        defer { request.release() }
        #expect(try request.values() == [true])
        try pull(chip, offsets[0], up: false)
        #expect(try request.values() == [false])
    }

    @Test func aHeldLineIsBusyUntilReleased() throws {
        let (chip, offsets) = try freeLines(1)
        let first = try chip.requestLines(offsets, settings: .input(), consumer: consumer)
        let busy = #expect(throws: HALError.self) {
            try chip.requestLines(offsets, settings: .input(), consumer: consumer)
        }
        #expect(busy?.kind == .busy)

        first.release()
        first.release()
        let closed = #expect(throws: HALError.self) { try first.values() }
        #expect(closed?.kind == .closed)

        let second = try chip.requestLines(offsets, settings: .input(), consumer: consumer)
        second.release()
    }

    @Test func edgesCarryTheKernelTimestamp() async throws {
        let (chip, offsets) = try freeLines(1)
        try pull(chip, offsets[0], up: false)
        let request = try chip.requestLines(offsets, settings: .input(edges: .both), consumer: consumer)
        defer { request.release() }

        let before = clock.now
        try pull(chip, offsets[0], up: true)
        let rising = try await request.waitForEdgeEvents(deadline: clock.deadline(after: .seconds(2)))
        #expect(rising.map(\.kind) == [.rising])
        #expect(rising.map(\.offset) == offsets)
        let timestamp = try #require(rising.first).timestamp
        #expect(before <= timestamp && timestamp <= clock.now)

        try pull(chip, offsets[0], up: false)
        #expect(try await nextEdgeKinds(request) == [.falling])
    }

    @Test func onlyTheRequestedEdgesAreReported() async throws {
        let (chip, offsets) = try freeLines(1)
        try pull(chip, offsets[0], up: false)
        let request = try chip.requestLines(offsets, settings: .input(edges: .rising), consumer: consumer)
        defer { request.release() }

        try pull(chip, offsets[0], up: true)
        #expect(try await nextEdgeKinds(request) == [.rising])

        try pull(chip, offsets[0], up: false)
        let deadline = clock.deadline(after: .milliseconds(100))
        #expect(try await request.waitForEdgeEvents(deadline: deadline).isEmpty)
        #expect(clock.now >= deadline)

        try pull(chip, offsets[0], up: true)
        #expect(try await nextEdgeKinds(request) == [.rising])
    }

    @Test func bouncesShorterThanTheDebouncePeriodAreIgnored() async throws {
        let period = Duration.milliseconds(200)
        let (chip, offsets) = try freeLines(1)
        try pull(chip, offsets[0], up: false)
        let request = try chip.requestLines(
            offsets, settings: .input(edges: .both, debounce: period), consumer: consumer)
        defer { request.release() }

        // A pulse shorter than the period is no edge at all.
        try pull(chip, offsets[0], up: true)
        try pull(chip, offsets[0], up: false)
        #expect(try await request.waitForEdgeEvents(deadline: clock.deadline(after: period * 2)).isEmpty)

        // A bouncing contact that settles high is one rising edge, reported once it has settled.
        let start = clock.now
        for up in [true, false, true] { try pull(chip, offsets[0], up: up) }
        let events = try await request.waitForEdgeEvents(deadline: clock.deadline(after: .seconds(2)))
        #expect(events.map(\.kind) == [.rising])
        let settledAt = try #require(events.first).timestamp
        // The kernel's debounce (libgpiod v2) times the period on its tick: its stamp less the
        // period may be up to a tick (4 ms at HZ=250) before the line settled.
        let tick = (request as? LinuxLineRequest)?.kernelDebounce == nil ? Duration.zero : .milliseconds(10)
        #expect(settledAt >= start.advanced(by: .zero - tick))
        #expect(clock.now >= settledAt.advanced(by: period))
    }

    @Test func cancellingOrReleasingEndsAWait() async throws {
        let (chip, offsets) = try freeLines(1)
        let request = try chip.requestLines(offsets, settings: .input(edges: .both), consumer: consumer)

        let cancelled = Task { try await request.waitForEdgeEvents(deadline: .distantFuture) }
        cancelled.cancel()
        let cancellation = await #expect(throws: HALError.self) { try await cancelled.value }
        #expect(cancellation?.kind == .cancelled)

        let released = Task { try await request.waitForEdgeEvents(deadline: .distantFuture) }
        request.release()
        let closed = await #expect(throws: HALError.self) { try await released.value }
        #expect(closed?.kind == .closed)
    }

    @Test func impossibleUsesAreRejected() async throws {
        let (chip, offsets) = try freeLines(1)
        for settings in [
            LineSettings(direction: .output, edgeDetection: .both), LineSettings(direction: .input, drive: .openDrain),
        ] {
            let error = #expect(throws: HALError.self) {
                try chip.requestLines(offsets, settings: settings, consumer: consumer)
            }
            #expect(error?.kind == .invalidArgument)
        }

        let input = try chip.requestLines(offsets, settings: .input(), consumer: consumer)
        let setError = #expect(throws: HALError.self) { try input.setValues([true]) }
        #expect(setError?.kind == .invalidArgument)
        let waitError = await #expect(throws: HALError.self) {
            try await input.waitForEdgeEvents(deadline: clock.deadline(after: .milliseconds(10)))
        }
        #expect(waitError?.kind == .invalidArgument)
        input.release()

        let output = try chip.requestLines(offsets, settings: .output(), consumer: consumer)
        defer { output.release() }
        let countError = #expect(throws: HALError.self) { try output.setValues([true, false]) }
        #expect(countError?.kind == .invalidArgument)
    }
}
