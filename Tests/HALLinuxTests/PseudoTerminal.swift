import Glibc
import HAL

/// The master side of a pseudo-terminal, for driving a port opened on its slave path.
///
/// Swift's Glibc module does not export `posix_openpt`, `grantpt`, `unlockpt` and `ptsname`
/// (they need `_XOPEN_SOURCE`), so this uses `openpty(3)`, which does exactly those steps.
/// The slave descriptor `openpty` also opens is closed at once: the port under test opens the
/// slave by path.
final class PseudoTerminal {
    let master: Int32
    let slavePath: String
    private var isOpen = true

    init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        try check("openpty", openpty(&master, &slave, &name, nil, nil))
        close(slave)
        self.master = master
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var settings = termios()
        try check("tcgetattr", tcgetattr(master, &settings))
        cfmakeraw(&settings)
        try check("tcsetattr", tcsetattr(master, TCSANOW, &settings))
        try check("fcntl", fcntl(master, F_SETFL, O_NONBLOCK))
    }

    deinit { closeMaster() }

    func closeMaster() {
        if isOpen { close(master) }
        isOpen = false
    }

    /// Writes all of `bytes` to the master.
    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            try waitFor(Int16(POLLOUT), timeoutMilliseconds: 2000)
            let count = bytes[sent...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            try check("write", count)
            sent += count
        }
    }

    /// Reads exactly `count` bytes from the master, failing after 2 s without progress.
    func read(count: Int) throws -> [UInt8] {
        var received: [UInt8] = []
        while received.count < count {
            try waitFor(Int16(POLLIN), timeoutMilliseconds: 2000)
            var buffer = [UInt8](repeating: 0, count: count - received.count)
            let got = Glibc.read(master, &buffer, buffer.count)
            if got < 0 && errno == EAGAIN { continue }
            try check("read", got)
            received += buffer.prefix(got)
        }
        return received
    }

    /// The output speed the slave's termios holds, read through the master.
    func outputSpeed() throws -> speed_t {
        var settings = termios()
        try check("tcgetattr", tcgetattr(master, &settings))
        return cfgetospeed(&settings)
    }

    private func waitFor(_ events: Int16, timeoutMilliseconds: Int32) throws {
        var entry = pollfd(fd: master, events: events, revents: 0)
        let ready = poll(&entry, 1, timeoutMilliseconds)
        try check("poll", ready)
        if ready == 0 { throw HALError(.timedOut, operation: "poll", target: "pty master") }
    }
}

/// Throws the errno of `call` if it failed.
private func check<Result: BinaryInteger>(_ call: String, _ result: Result) throws {
    if result < 0 { throw HALError.system(errno, operation: call, target: "pty master") }
}
