import CameraProtocols
import Foundation
import HAL
import HALSimulation
import Testing

@testable import Emulators

#if canImport(Glibc)
import Glibc
#endif

/// The emulator on a real pseudo-terminal, flooded as an attacker on the bench port would:
/// its UART's receive FIFO drops what it cannot hold (counted), so the next valid command is
/// answered within a few command times, not after the 45 minutes 10 MB take at 38400 baud.
@Suite struct EmulatorHostileInputTests {
    /// Writes all of `bytes` to the non-blocking `fd`, yielding while the pty is full.
    func writeAll(_ fd: Int32, _ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, min($0.count, 65536)) }
            if written > 0 { offset += written } else { try await Task.sleep(for: .microseconds(200)) }
        }
    }

    /// Reads from the non-blocking `fd` until `bytes` has come (then true) or `seconds` pass.
    func await(_ bytes: [UInt8], from fd: Int32, seconds: Double) async throws -> Bool {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = SystemClock().now.advanced(by: .nanoseconds(Int64(seconds * 1e9)))
        while SystemClock().now < end {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                received += buffer[0..<count]
                if received.count >= bytes.count, (0...(received.count - bytes.count)).contains(where: { Array(received[$0..<$0 + bytes.count]) == bytes }) {
                    return true
                }
            } else {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        return false
    }

    @Test func tenMegabytesOfGarbageThenAValidCommandIsAnsweredPromptly() async throws {
        let bench = VC0706Bench()
        let bridge = try PseudoTerminalBridge(link: bench.link)
        defer { bridge.stop() }
        let fd = open(bridge.path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        try #require(fd >= 0, "open \(bridge.path): errno \(errno)")
        defer { close(fd) }
        var attributes = termios()
        tcgetattr(fd, &attributes)
        cfmakeraw(&attributes)
        cfsetispeed(&attributes, speed_t(B38400))
        cfsetospeed(&attributes, speed_t(B38400))
        tcsetattr(fd, TCSANOW, &attributes)

        var random = SeededRandom(seed: 0x6A2BA6E)
        // No request mark in the garbage: what survives the FIFO is skipped, not half a request.
        let garbage = (0..<10_000_000).map { _ in UInt8(truncatingIfNeeded: random.next()) & 0x3F }
        let (answered, floodSeconds, answerSeconds) = try await Simulation.run(clock: bench.clock, speed: 1) {
            try await withThrowingTaskGroup(of: (Bool, Double, Double)?.self) { group in
                group.addTask { await bridge.run(); return nil }
                group.addTask { await bench.camera.run(); return nil }
                group.addTask {
                    _ = try await self.await(Array("Init end".utf8), from: fd, seconds: 5)
                    let start = SystemClock().now
                    try await writeAll(fd, garbage)
                    let flood = start.duration(to: SystemClock().now).seconds
                    // The last of the garbage reaches the bridge's pump within a poll slice.
                    try await Task.sleep(for: .milliseconds(100))
                    let asked = SystemClock().now
                    let command = VC0706Request.getVersion().encoded
                    try await writeAll(fd, command)
                    let answered = try await self.await([0x76, 0x00, 0x11, 0x00], from: fd, seconds: 5)
                    return (answered, flood, asked.duration(to: SystemClock().now).seconds)
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw CancellationError()
            }
        }
        #expect(answered, "GEN_VERSION went unanswered after the flood")
        #expect(answerSeconds < 1.0, "answered after \(answerSeconds) s")
        // Nearly all of it dropped: at most the FIFO and what the wire carried meanwhile got through.
        #expect(bench.link.deviceOverruns > 9_000_000, "\(bench.link.deviceOverruns) dropped in \(floodSeconds) s")
        #expect(bench.link.deviceOverruns <= 10_000_000)
    }
}
