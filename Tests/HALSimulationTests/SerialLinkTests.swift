import HAL
import Testing

@testable import HALSimulation

@Suite struct SerialLinkTests {
    let clock = VirtualClock()

    func link(baud: Int = 115200, faults: FaultPlan = .none) -> SimulatedSerialLink {
        SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: baud), faults: faults)
    }

    /// Sends `bytes` from the device end and collects everything the host receives.
    func transfer(_ bytes: [UInt8], over link: SimulatedSerialLink, limit: Duration = .seconds(60)) async throws -> (bytes: [UInt8], lastArrival: MonotonicInstant) {
        try await Simulation.run(clock: clock) {
            try await link.device.write(bytes)
            var received: [UInt8] = []
            var last = link.host.clock.now
            let deadline = link.host.clock.now.advanced(by: limit)
            while received.count < bytes.count {
                let chunk = try await link.host.read(upTo: 65536, deadline: deadline)
                if chunk.isEmpty { break }
                received += chunk
                last = link.host.clock.now
            }
            return (received, last)
        }
    }

    @Test(arguments: [9600, 38400, 115200])
    func pacingMatchesTheWireWithinOnePercent(baud: Int) async throws {
        let payload = (0..<48_000).map { UInt8(truncatingIfNeeded: $0) }
        let (received, last) = try await transfer(payload, over: link(baud: baud), limit: .seconds(120))
        #expect(received == payload)
        let theory = Double(payload.count * 10) / Double(baud)
        let measured = last.seconds
        #expect(abs(measured - theory) / theory < 0.01, "took \(measured) s, theory \(theory) s")
    }

    @Test func fortyEightThousandBytesAt115200TakeFourPointOneSevenSeconds() async throws {
        let (_, last) = try await transfer([UInt8](repeating: 0x55, count: 48_000), over: link())
        #expect(abs(last.seconds - 4.1667) < 0.01)
    }

    @Test func anExchangeSendsTheRequestAndTakesTheReply() async throws {
        let link = link(baud: 115200)
        let reply = (0..<518).map { UInt8(truncatingIfNeeded: $0) }
        let (asked, answer) = try await Simulation.run(clock: clock) {
            // The device answers six bytes with the reply, as a camera asked for a package.
            async let asked: [UInt8] = Self.answer(on: link.device, with: reply)
            var received = try await link.host.exchange(
                [0xAA, 0x0E, 0, 0, 1, 0], readAtLeast: reply.count, upTo: 4096, deadline: link.host.clock.now.advanced(by: .seconds(5)))
            while received.count < reply.count {
                let more = try await link.host.read(upTo: 4096, deadline: link.host.clock.now.advanced(by: .seconds(5)))
                if more.isEmpty { break }
                received += more
            }
            return (try await asked, received)
        }
        #expect(asked == [0xAA, 0x0E, 0, 0, 1, 0])
        #expect(answer == reply)
    }

    /// Reads a 6-byte request on `port` and answers it with `reply`; returns the request.
    private static func answer(on port: SimulatedSerialPort, with reply: [UInt8]) async throws -> [UInt8] {
        let asked = try await port.read(exactly: 6, deadline: port.clock.now.advanced(by: .seconds(5)))
        try await port.write(reply)
        return asked
    }

    @Test func readReturnsPartialDataAsSoonAsItArrives() async throws {
        let link = link(baud: 9600)
        try await Simulation.run(clock: clock) {
            try await link.device.write([1, 2, 3])
            let got = try await link.host.read(upTo: 100, deadline: link.host.clock.now.advanced(by: .seconds(5)))
            // The first byte arrives after one character time; the read returns with what is there.
            #expect(!got.isEmpty && got.count <= 3)
            #expect(link.host.clock.now < MonotonicInstant.zero.advanced(by: .seconds(1)))
            let rest = try await link.host.read(exactly: 3 - got.count, deadline: link.host.clock.now.advanced(by: .seconds(5)))
            #expect(got + rest == [1, 2, 3])
            // Three characters at 9600 8N1: 3.125 ms.
            #expect(abs(link.host.clock.now.seconds - 0.003125) < 1e-6)
        }
    }

    @Test func readWithNothingSentReturnsEmptyAtTheDeadline() async throws {
        let link = link()
        try await Simulation.run(clock: clock) {
            let deadline = link.host.clock.now.advanced(by: .milliseconds(250))
            let got = try await link.host.read(upTo: 10, deadline: deadline)
            #expect(got.isEmpty)
            #expect(link.host.clock.now == deadline)
        }
    }

    @Test func drainWaitsUntilTheLastByteLeavesTheWire() async throws {
        let link = link(baud: 38400)
        try await Simulation.run(clock: clock) {
            try await link.host.write([UInt8](repeating: 0xAA, count: 384))
            try await link.host.drain()
            #expect(link.host.clock.now == MonotonicInstant.zero.advanced(by: .milliseconds(100)))
        }
    }

    @Test func mismatchedBaudsGarbleWhatPasses() async throws {
        let link = link(baud: 38400)
        let payload = Array("56 00 26 00 reset please".utf8)
        let received = try await Simulation.run(clock: clock) {
            try await link.host.reconfigure(SerialConfiguration(baudRate: 115200))
            try await link.device.write(payload)
            return try await link.host.read(exactly: 1000, deadline: link.host.clock.now.advanced(by: .seconds(1)))
        }
        #expect(received != payload)
        #expect(received.count == payload.count * 3)  // 115200 / 38400 samples per character
    }

    @Test func flushInputDiscardsWhatHasArrived() async throws {
        let link = link()
        try await Simulation.run(clock: clock) {
            try await link.device.write([9, 9, 9])
            try await link.host.clock.sleep(for: .milliseconds(10))
            try await link.host.flush(.input)
            try await link.device.write([7])
            let got = try await link.host.read(upTo: 10, deadline: link.host.clock.now.advanced(by: .seconds(1)))
            #expect(got == [7])
        }
    }

    @Test func flushOutputForgetsBytesNotYetSent() async throws {
        let link = link(baud: 9600)
        try await Simulation.run(clock: clock) {
            try await link.host.write([UInt8](repeating: 1, count: 100))
            try await link.host.clock.sleep(for: .microseconds(1_500))  // one character and a half
            try await link.host.flush(.output)
            let got = try await link.device.read(upTo: 1000, deadline: link.host.clock.now.advanced(by: .seconds(1)))
            let more = try await link.device.read(upTo: 1000, deadline: link.host.clock.now.advanced(by: .milliseconds(100)))
            #expect(got.count + more.count == 2)
        }
    }

    @Test func closedPortThrowsClosed() async throws {
        let link = link()
        await link.host.close()
        await #expect(throws: HALError(.closed, operation: "read", target: "sim:serial0", message: "port is closed")) {
            _ = try await link.host.read(upTo: 1, deadline: .zero)
        }
    }

    @Test func reconfigureRejectsAnImpossibleBaud() async {
        let link = link()
        await #expect {
            try await link.host.reconfigure(SerialConfiguration(baudRate: 12345))
        } throws: { ($0 as? HALError)?.kind == .invalidArgument }
    }
}

@Suite struct FaultPlanTests {
    func run(_ plan: FaultPlan, count: Int = 20_000, baud: Int = 115200) async throws -> (bytes: [UInt8], end: MonotonicInstant) {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: baud), faults: plan)
        return try await Simulation.run(clock: clock) {
            try await link.device.write((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            var received: [UInt8] = []
            while true {
                let chunk = try await link.host.read(upTo: 65536, deadline: clock.now.advanced(by: .seconds(3)))
                if chunk.isEmpty { break }
                received += chunk
            }
            return (received, clock.now)
        }
    }

    @Test func aPlanReplaysIdenticallyFromItsSeed() async throws {
        let plan = FaultPlan.random(seed: 42, byteSpan: 20_000, drops: 3, bitFlipRate: 1e-3, stallProbability: 1)
        let first = try await run(plan)
        let second = try await run(plan)
        #expect(first.bytes == second.bytes)
        #expect(first.end == second.end)
        let other = try await run(FaultPlan.random(seed: 43, byteSpan: 20_000, drops: 3, bitFlipRate: 1e-3, stallProbability: 1))
        #expect(other.bytes != first.bytes)
    }

    @Test func droppedBytesAreMissingAndNothingElseChanges() async throws {
        let sent = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let received = try await run(FaultPlan(droppedBytes: [0, 50, 99]), count: 100).bytes
        var expected = sent
        for index in [99, 50, 0] { expected.remove(at: index) }
        #expect(received == expected)
    }

    @Test func bitFlipsHappenAtRoughlyTheRate() async throws {
        let sent = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let received = try await run(FaultPlan(seed: 5, bitFlipRate: 1e-3)).bytes
        #expect(received.count == sent.count)
        let flipped = zip(sent, received).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
        // 160,000 bits at 1e-3: 160 expected.
        #expect((100...220).contains(flipped))
    }

    @Test func aStallDelaysEverythingAfterIt() async throws {
        let clean = try await run(.none, count: 1000)
        let stalled = try await run(FaultPlan(stalls: [.init(atByte: 500, duration: .seconds(2))]), count: 1000)
        #expect(stalled.bytes == clean.bytes)
        #expect(abs((stalled.end.seconds - clean.end.seconds) - 2) < 1e-6)
    }

    @Test func anUnplugLosesWhatWouldArriveMeanwhile() async throws {
        // 11,520 bytes take one second at 115200; unplug for 0.25 s in the middle.
        let plan = FaultPlan(unplugs: [.init(at: .zero.advanced(by: .milliseconds(500)), duration: .milliseconds(250))])
        let received = try await run(plan, count: 11_520).bytes
        #expect(abs(received.count - 11_520 * 3 / 4) <= 2)
    }

    @Test func aVanishingPortFailsWithDisconnectedThenRecovers() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 115200))
        try await Simulation.run(clock: clock) {
            link.unplug(portVanishes: true)
            await #expect { try await link.host.write([1]) } throws: { ($0 as? HALError)?.kind == .disconnected }
            link.replug()
            try await link.host.write([1])
            #expect(try await link.device.read(upTo: 1, deadline: clock.now.advanced(by: .seconds(1))) == [1])
        }
    }
}
