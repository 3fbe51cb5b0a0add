import Glibc
import HAL
import HALLinux
import SystemCalls
import Testing

/// The termios transport, exercised over real pseudo-terminals opened through `LinuxSerial`.
@Suite struct TermiosSerialPortTests {
    let clock = SystemClock()

    /// A port on the slave of a fresh pty, and the pty's master.
    struct Fixture {
        let terminal: PseudoTerminal
        let port: any SerialPort

        /// Closes the port, then the master (which keeps the pty alive until then).
        func close() async {
            await port.close()
            terminal.closeMaster()
        }
    }

    /// Opens the slave of a fresh pty through `LinuxSerial`, which must fall back to termios.
    private func openPort(baudRate: Int = 115200) async throws -> Fixture {
        let terminal = try PseudoTerminal()
        let port = try await LinuxSerial().open(
            terminal.slavePath, configuration: SerialConfiguration(baudRate: baudRate))
        #expect((port as? LinuxSerialPort)?.driver == .termios)
        #expect(port.name == terminal.slavePath)
        return Fixture(terminal: terminal, port: port)
    }

    @Test("every byte value passes both ways, XON and XOFF included", arguments: [9600, 115200])
    func allByteValues(baudRate: Int) async throws {
        let fixture = try await openPort(baudRate: baudRate)
        let (terminal, port) = (fixture.terminal, fixture.port)
        let everyByte = (0...255).map(UInt8.init)

        try terminal.write(everyByte)
        let received = try await port.read(exactly: everyByte.count, deadline: clock.deadline(after: .seconds(2)))
        #expect(received == everyByte)

        try await port.write(everyByte)
        try await port.drain()
        #expect(try terminal.read(count: everyByte.count) == everyByte)
        await fixture.close()
    }

    @Test func readReturnsPartialDataAsSoonAsItArrives() async throws {
        let fixture = try await openPort()
        let (terminal, port) = (fixture.terminal, fixture.port)
        try terminal.write([1, 2, 3])
        // Partial data ends the wait well before the deadline. The read runs, as a camera's
        // pipeline does, with a thread of its own as its executor: its continuation does not
        // wait for Swift's cooperative pool, which other tests may hold.
        let deadline = clock.now.advanced(by: .seconds(5))
        // The time is taken there too: back on the pool this test's own code may wait.
        let executor = try ThreadExecutor(target: "readReturnsPartialDataAsSoonAsItArrives")
        let (bytes, returned) = try await withTaskExecutorPreference(executor) {
            (try await port.read(upTo: 100, deadline: deadline), clock.now)
        }
        #expect(bytes == [1, 2, 3])
        #expect(returned < deadline)
        await fixture.close()
    }

    @Test func readAtLeastHandsOverTheBytesDueInOneBatch() async throws {
        let fixture = try await openPort(baudRate: 9600)
        let (terminal, port) = (fixture.terminal, fixture.port)
        try terminal.write(Array(0..<10))
        // The other 90 bytes come 20 ms later, well before they are due at 9600 baud (94 ms).
        let master = terminal.master
        let writer = try ThreadExecutor(target: "late writer")
        writer.async {
            usleep(20_000)
            let rest = [UInt8](10..<100)
            _ = rest.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
        }
        let wakeUps = try #require(port as? LinuxSerialPort).readWakeUps
        let bytes = try await port.read(atLeast: 100, upTo: 200, deadline: clock.deadline(after: .seconds(10)))
        #expect(bytes == Array(0..<100))
        // One sleep until a margin before the 90 bytes are due; a second wake-up only if the
        // writer was late; never one per piece.
        #expect(try #require(port as? LinuxSerialPort).readWakeUps - wakeUps <= 2)
        await fixture.close()
    }

    @Test func aReplyHandedOverInPiecesAfterTheirWireTimeCostsAtMostThreeWakeUps() async throws {
        let fixture = try await openPort(baudRate: 115200)
        let (terminal, port) = (fixture.terminal, fixture.port)
        let linux = try #require(port as? LinuxSerialPort)
        // 512 bytes as a UART or USB adapter hands them over: 64 at a time, each piece once its
        // last byte has come (5.6 ms of wire time apart at 115200 baud).
        let master = terminal.master
        let writer = try ThreadExecutor(target: "paced writer")
        let start = clock.now
        writer.async {
            for piece in 0..<8 {
                let due = start.advanced(by: .microseconds(5_600 * (piece + 1)))
                let wait = max(clock.now.duration(to: due).nanoseconds / 1000, 0)
                usleep(UInt32(clamping: wait))
                let bytes = [UInt8](repeating: UInt8(piece), count: 64)
                _ = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            }
        }
        let wakeUps = linux.readWakeUps
        var bytes: [UInt8] = []
        var reads = 0
        let deadline = clock.deadline(after: .seconds(10))
        while bytes.count < 512 && clock.now < deadline {
            bytes += try await port.read(atLeast: 512 - bytes.count, upTo: 512 - bytes.count, deadline: deadline)
            reads += 1
        }
        #expect(bytes.count == 512)
        // Each read wakes for the first piece, a margin before the last is due and the last
        // piece as it comes, not once for each piece (a late writer makes the caller read again).
        #expect(linux.readWakeUps - wakeUps <= 3 * reads)
        await fixture.close()
    }

    @Test func exchangesSendEachRequestAndTakeItsReplyInAtMostTwoWakeUps() async throws {
        let fixture = try await openPort(baudRate: 115200)
        let (terminal, port) = (fixture.terminal, fixture.port)
        let linux = try #require(port as? LinuxSerialPort)
        let rounds = 12
        // A camera on the master, on a thread of its own: each 6-byte request is answered with
        // 518 bytes at once.
        let master = terminal.master
        let responder = try ThreadExecutor(target: "responder")
        responder.async {
            for round in 0..<rounds {
                var request = [UInt8](repeating: 0, count: 6)
                var got = 0
                while got < 6 {
                    var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&entry, 1, 10_000)
                    if ready == 0 || (ready < 0 && errno != EINTR) || entry.revents & Int16(POLLNVAL | POLLERR) != 0 { return }
                    let count = request[got...].withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
                    if count > 0 { got += count }
                }
                let reply = [UInt8](repeating: UInt8(round), count: 518)
                var sent = 0
                while sent < reply.count {
                    let count = reply[sent...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
                    if count > 0 { sent += count } else if errno != EINTR && errno != EAGAIN { return }
                }
            }
        }
        // The exchanges run as a camera's pipeline does, on a thread of their own, so that a
        // cooperative pool held by other tests does not hold them up.
        let executor = try ThreadExecutor(target: "exchangesSendEachRequestAndTakeItsReplyInAtMostTwoWakeUps")
        let wakeUps = linux.readWakeUps
        let replies = try await withTaskExecutorPreference(executor) {
            var replies: [[UInt8]] = []
            for round in 0..<rounds {
                let deadline = clock.deadline(after: .seconds(10))
                var reply = try await port.exchange([0xAA, 0x0E, 0, 0, UInt8(round), 0], readAtLeast: 518, upTo: 4096, deadline: deadline)
                while reply.count < 518 && clock.now < deadline {
                    reply += try await port.read(atLeast: 518 - reply.count, upTo: 4096, deadline: deadline)
                }
                replies.append(reply)
            }
            return replies
        }
        #expect(replies == (0..<rounds).map { [UInt8](repeating: UInt8($0), count: 518) })
        // A sleep until the reply is due (from the write), and a wait for it only if it had
        // not all come by then: never one wake-up per piece, nor a poll for the first bytes
        // before the sleep.
        #expect(linux.readWakeUps - wakeUps <= 2 * rounds)
        withExtendedLifetime(responder) {}
        await fixture.close()
    }

    @Test func readAtLeastReturnsWhatCameOnceTheLinePauses() async throws {
        let fixture = try await openPort(baudRate: 115200)
        let (terminal, port) = (fixture.terminal, fixture.port)
        try terminal.write(Array(0..<10))
        let deadline = clock.deadline(after: .seconds(30))
        let executor = try ThreadExecutor(target: "readAtLeastReturnsWhatCameOnceTheLinePauses")
        let (bytes, returned) = try await withTaskExecutorPreference(executor) {
            (try await port.read(atLeast: 1000, upTo: 1000, deadline: deadline), clock.now)
        }
        #expect(bytes == Array(0..<10))
        // Back after the 990 missing bytes were due (86 ms) and a little more, not at the deadline.
        #expect(returned < deadline.advanced(by: .seconds(-20)))
        await fixture.close()
    }

    @Test func readAtLeastStopsAtTheDeadline() async throws {
        let fixture = try await openPort(baudRate: 9600)
        let (terminal, port) = (fixture.terminal, fixture.port)
        try terminal.write(Array(0..<10))
        // 990 bytes take about a second at 9600 baud: the deadline comes first. (On a thread of
        // its own, so that a busy cooperative pool cannot make the read look late.)
        let deadline = clock.deadline(after: .milliseconds(100))
        let executor = try ThreadExecutor(target: "readAtLeastStopsAtTheDeadline")
        let (bytes, returned) = try await withTaskExecutorPreference(executor) {
            (try await port.read(atLeast: 1000, upTo: 1000, deadline: deadline), clock.now)
        }
        #expect(bytes == Array(0..<10))
        #expect(returned >= deadline)
        #expect(returned < deadline.advanced(by: .milliseconds(900)))
        await fixture.close()
    }

    @Test func readReturnsNothingOnceTheDeadlinePasses() async throws {
        let fixture = try await openPort()
        let port = fixture.port
        let deadline = clock.deadline(after: .milliseconds(50))
        let bytes = try await port.read(upTo: 100, deadline: deadline)
        #expect(bytes.isEmpty)
        #expect(clock.now >= deadline)
        await fixture.close()
    }

    @Test func reconfigureChangesTheBaudRateWhileOpen() async throws {
        let fixture = try await openPort(baudRate: 9600)
        let (terminal, port) = (fixture.terminal, fixture.port)
        #expect(try terminal.outputSpeed() == speed_t(B9600))

        try await port.reconfigure(SerialConfiguration(baudRate: 115200))
        #expect(try terminal.outputSpeed() == speed_t(B115200))
        #expect(port.configuration.baudRate == 115200)

        try terminal.write([0x42])
        #expect(try await port.read(upTo: 1, deadline: clock.deadline(after: .seconds(2))) == [0x42])
        await fixture.close()
    }

    @Test func reconfigureRejectsAnUnsupportedBaudRate() async throws {
        let fixture = try await openPort(baudRate: 9600)
        let port = fixture.port
        let error = await #expect(throws: HALError.self) {
            try await port.reconfigure(SerialConfiguration(baudRate: 12345))
        }
        #expect(error?.kind == .invalidArgument)
        #expect(port.configuration.baudRate == 9600)
        await fixture.close()
    }

    @Test func flushInputDiscardsPendingBytes() async throws {
        let fixture = try await openPort()
        let (terminal, port) = (fixture.terminal, fixture.port)
        try terminal.write([1, 2, 3, 4, 5, 6])
        // Reading the first byte proves the write has reached the port's input queue.
        #expect(try await port.read(upTo: 1, deadline: clock.deadline(after: .seconds(2))) == [1])

        try await port.flush(.input)
        #expect(try await port.read(upTo: 100, deadline: clock.deadline(after: .milliseconds(50))).isEmpty)

        try terminal.write([7])
        #expect(try await port.read(upTo: 100, deadline: clock.deadline(after: .seconds(2))) == [7])
        await fixture.close()
    }

    @Test func callsAfterCloseThrowClosed() async throws {
        let fixture = try await openPort()
        let port = fixture.port
        await port.close()
        await port.close()

        let readError = await #expect(throws: HALError.self) {
            try await port.read(upTo: 1, deadline: clock.deadline(after: .milliseconds(10)))
        }
        #expect(readError?.kind == .closed)
        let writeError = await #expect(throws: HALError.self) { try await port.write([1]) }
        #expect(writeError?.kind == .closed)
        let flushError = await #expect(throws: HALError.self) { try await port.flush(.both) }
        #expect(flushError?.kind == .closed)
        let drainError = await #expect(throws: HALError.self) { try await port.drain() }
        #expect(drainError?.kind == .closed)
        let reconfigureError = await #expect(throws: HALError.self) {
            try await port.reconfigure(SerialConfiguration(baudRate: 9600))
        }
        #expect(reconfigureError?.kind == .closed)
        await fixture.close()
    }

    @Test func closeEndsAReadInProgress() async throws {
        let fixture = try await openPort()
        let port = fixture.port
        let reader = Task { try await port.read(upTo: 1, deadline: .distantFuture) }
        await port.close()
        let error = await #expect(throws: HALError.self) { try await reader.value }
        #expect(error?.kind == .closed)
        await fixture.close()
    }

    @Test func cancellationEndsAReadInProgress() async throws {
        let fixture = try await openPort()
        let port = fixture.port
        let reader = Task { try await port.read(upTo: 1, deadline: .distantFuture) }
        reader.cancel()
        let error = await #expect(throws: HALError.self) { try await reader.value }
        #expect(error?.kind == .cancelled)
        await fixture.close()
    }

    @Test func readReportsAVanishedDeviceAsDisconnected() async throws {
        let fixture = try await openPort()
        let (terminal, port) = (fixture.terminal, fixture.port)
        terminal.closeMaster()
        let error = await #expect(throws: HALError.self) {
            try await port.read(upTo: 1, deadline: clock.deadline(after: .seconds(2)))
        }
        #expect(error?.kind == .disconnected)
        await fixture.close()
    }
}
