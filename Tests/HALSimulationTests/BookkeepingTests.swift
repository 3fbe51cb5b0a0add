import HAL
import Testing

@testable import HALSimulation

/// State the simulation keeps per wait or per byte must not outlive the wait or the byte: a
/// long simulated run (a thousand camera transfers) otherwise slows down as it goes.
@Suite struct BookkeepingTests {
    typealias Bookkeeping = (waiters: Int, timers: Int, cancelledBeforeWaiting: Int)

    func bookkeeping(of clock: VirtualClock) -> Bookkeeping {
        clock.state.withLock { ($0.waiters.count, $0.timers.count, $0.cancelledBeforeWaiting.count) }
    }

    @Test func cancelledWaitsLeaveNothingBehindInTheClock() async throws {
        let clock = VirtualClock()
        let signal = SimulationSignal(clock: clock)
        try await Simulation.run(clock: clock) {
            for _ in 0..<200 {
                await withTaskGroup(of: Void.self) { group in
                    // Cancelled while waiting for a far deadline.
                    group.addTask { try? await clock.sleep(for: .seconds(3600)) }
                    // Woken by the signal, then cancelled before it runs again: the parent,
                    // which started waiting first, is resumed first and cancels it.
                    let generation = signal.generation
                    group.addTask { _ = try? await signal.wait(untilChangedFrom: generation, deadline: .distantFuture) }
                    group.addTask {
                        try? await clock.sleep(for: .milliseconds(1))
                        signal.fire()
                    }
                    _ = try? await signal.wait(untilChangedFrom: generation, deadline: clock.now.advanced(by: .seconds(10)))
                    group.cancelAll()
                }
                // Cancelled before it ever waits.
                await withTaskGroup(of: Void.self) { group in
                    group.cancelAll()
                    group.addTask { try? await clock.sleep(for: .seconds(1)) }
                }
            }
        }
        let left = bookkeeping(of: clock)
        #expect(left.waiters == 0 && left.timers == 0 && left.cancelledBeforeWaiting == 0, "\(left)")
    }

    @Test func aLaneHoldsOnlyWhatIsStillToBeRead() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 115200))
        let frame = (0..<6000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let inFlight = try await Simulation.run(clock: clock) {
            var largest = 0
            for _ in 0..<10 {
                // In pieces, as a camera sends a frame.
                for start in stride(from: 0, to: frame.count, by: 256) {
                    try await link.device.write(Array(frame[start..<min(start + 256, frame.count)]))
                    largest = max(largest, link.core.state.withLock { $0.lanes.host.bytes.count })
                }
                let received = try await link.host.read(exactly: frame.count, deadline: clock.now.advanced(by: .seconds(5)))
                #expect(received == frame)
            }
            return (largest, link.core.state.withLock { $0.lanes.host.bytes.count })
        }
        #expect(inFlight.0 <= frame.count, "a lane held \(inFlight.0) bytes for a frame of \(frame.count)")
        #expect(inFlight.1 == 0, "\(inFlight.1) bytes kept after everything was read")
    }

    @Test func bitFlipsAreIndependentPerBitAtTheRate() async throws {
        var lane = Lane(seed: 9)
        var flips = [Int](repeating: 0, count: 8)
        let bytes = 200_000
        for _ in 0..<bytes {
            let value = lane.flipBits(of: 0, dataBits: 8, rate: 1e-3)
            for bit in 0..<8 where value & (1 << bit) != 0 { flips[bit] += 1 }
        }
        // 200 expected per bit position (sd 14), 1,600 in all (sd 40).
        #expect(flips.allSatisfy { (140...260).contains($0) }, "\(flips)")
        #expect((1450...1750).contains(flips.reduce(0, +)))
        #expect(lane.flipBits(of: 0x5A, dataBits: 8, rate: 0) == 0x5A)
    }
}
