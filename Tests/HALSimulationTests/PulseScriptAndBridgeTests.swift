import HAL
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import HALSimulation

@Suite struct PulseScriptTests {
    @Test func theLineFollowsTheScriptOnVirtualTime() async throws {
        let clock = VirtualClock()
        let chip = SimulatedGPIOChip(label: "sim", lineCount: 20, clock: clock)
        let script = PulseScript(period: .seconds(45), hold: .seconds(4), seed: 9)
        let request = try chip.requestLines([17], settings: .input(bias: .pullDown, edges: .both), consumer: "test")
        let events = try await Simulation.run(clock: clock) {
            try await withThrowingTaskGroup(of: [EdgeEvent].self) { group in
                group.addTask { await script.run(on: chip, offset: 17, clock: clock); return [] }
                var events: [EdgeEvent] = []
                while events.count < 6 {
                    // Pulses start at most a period apart.
                    let more = try await request.waitForEdgeEvents(deadline: clock.now.advanced(by: .seconds(2 * 45)))
                    try #require(!more.isEmpty, "no edge within two periods after \(events.count) edges")
                    events += more
                }
                group.cancelAll()
                return events
            }
        }
        let starts = script.pulseStarts(from: .zero, count: 3)
        #expect(events.map(\.kind) == [.rising, .falling, .rising, .falling, .rising, .falling])
        #expect(events.filter { $0.kind == .rising }.map(\.timestamp) == starts)
        #expect(events.filter { $0.kind == .falling }.map(\.timestamp) == starts.map { $0.advanced(by: .seconds(4)) })
    }
}

@Suite struct PseudoTerminalBridgeTests {
    /// Opens the bridge's pty as a program would, raw, at `baud`.
    func openHostEnd(_ path: String, baud: speed_t) throws -> Int32 {
        let fd = open(path, O_RDWR | O_NOCTTY)
        try #require(fd >= 0, "open \(path): errno \(errno)")
        var attributes = termios()
        tcgetattr(fd, &attributes)
        cfmakeraw(&attributes)
        cfsetispeed(&attributes, baud)
        cfsetospeed(&attributes, baud)
        tcsetattr(fd, TCSANOW, &attributes)
        return fd
    }

    /// Reads at least `count` bytes, without blocking Swift's thread pool (the bridge's pump
    /// runs there); fails saying so if they have not come within `limit`.
    func readAll(_ fd: Int32, count: Int, within limit: Duration) async throws -> [UInt8] {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        try await waitUntil("\(count) bytes from the pty", within: limit, every: .milliseconds(1)) {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { received += buffer[0..<n] }
            return received.count >= count
        }
        return received
    }

    @Test func bytesCrossTheRealPtyBothWaysAtTheLinkPace() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 115200))
        let bridge = try PseudoTerminalBridge(link: link)
        defer { bridge.stop() }
        let fd = try openHostEnd(bridge.path, baud: speed_t(B115200))
        defer { close(fd) }
        try await Simulation.run(clock: clock, speed: 1) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await bridge.run() }
                try await exchange(fd: fd, link: link, clock: clock)
                group.cancelAll()
            }
        }
    }

    func exchange(fd: Int32, link: SimulatedSerialLink, clock: VirtualClock) async throws {
        let command: [UInt8] = [0x56, 0x00, 0x11, 0x00, 0x13]
        _ = command.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let atDevice = try await link.device.read(exactly: command.count, deadline: clock.deadline(after: .seconds(5)))
        #expect(atDevice == command)

        // 5,760 bytes take 0.5 s at 115200; they reach the program at that pace.
        let reply = (0..<5760).map { UInt8(truncatingIfNeeded: $0) }
        let start = SystemClock().now
        try await link.device.write(reply)
        let received = try await readAll(fd, count: reply.count, within: .seconds(5))
        let elapsed = start.duration(to: SystemClock().now).seconds
        #expect(received == reply)
        // Never faster than the wire (how much slower depends on the machine's load: the
        // figure over a pty is measured by the benchmarks, not asserted here).
        #expect(elapsed > 0.45, "took \(elapsed) s")
    }

    @Test func aProgramAtTheWrongBaudGetsGarbage() async throws {
        let clock = VirtualClock()
        let link = SimulatedSerialLink(clock: clock, configuration: SerialConfiguration(baudRate: 38400))
        let bridge = try PseudoTerminalBridge(link: link)
        defer { bridge.stop() }
        let fd = try openHostEnd(bridge.path, baud: speed_t(B9600))
        defer { close(fd) }
        // The bridge notices the program's speed within a poll slice.
        try await waitUntil("the bridge to take the program's 9600 baud", within: .seconds(5)) {
            link.host.configuration.baudRate == 9600
        }
        let reply = Array("Init end\r\n".utf8)
        let received = try await Simulation.run(clock: clock, speed: 1) {
            try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask { await bridge.run(); return nil }
                try await link.device.write(reply)
                // 10 bytes sent at 38400 make 2 bytes of garbage at a quarter of the speed.
                let received = try await readAll(fd, count: 2, within: .seconds(2))
                group.cancelAll()
                return received
            }
        }
        #expect(!received.isEmpty)
        #expect(received != Array(reply.prefix(received.count)))
    }
}
