import ArgumentParser
import Foundation
import HAL
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// `vigil-bench ucam3-floor-host PTY`: the least CPU a frame any host can spend fetching
/// uCAM-III frames over this bench's pty, for the peer section to print beside `vigil record`
/// and `motion`.
///
/// The host does nothing but the protocol, on one thread, with the fewest calls the protocol
/// allows: for each 512-byte package a `write` of its ACK, one sleep until the package is due
/// (its wire time plus a margin learnt as it goes, as `vigil record`'s port does) and a `read`,
/// checking the package's id and checksum; a package not whole at the wake-up is waited for
/// with `poll`. No JPEG decode, no motion detection, no movie: what it spends is the floor under
/// any recorder's CPU a frame on this machine.
struct ProtocolFloorHost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ucam3-floor-host",
        abstract: "A minimal uCAM-III host: the protocol's least CPU a frame on this machine (the peer section runs it).",
        shouldDisplay: false)

    @Argument(help: "The camera's pty (`vigil emulate --camera ucam3`), already at --baud.")
    var port: String

    @Option(help: "The camera's baud: 115200 or 921600.")
    var baud = 921_600

    @Option(help: "Seconds measured, after two frames of warm-up.")
    var seconds = 20

    /// What the host measured, printed as one JSON object.
    struct Figures: Codable {
        var frames: Int
        var seconds: Double
        var cpuSeconds: Double
        var framesPerSecond: Double
        var cpuSecondsPer1000Frames: Double
        var packagesPerFrame: Double
        var voluntarySwitchesPerFrame: Double
        var involuntarySwitchesPerFrame: Double
    }

    func run() throws {
        let speeds: [Int: speed_t] = [115_200: speed_t(B115200), 921_600: speed_t(B921600)]
        guard let speed = speeds[baud] else { throw ValidationError("--baud must be 115200 or 921600") }
        let host = try Host(path: port, speed: speed, baud: baud)
        try host.synchronise()
        try host.command([0x01, 0x00, 0x07, 0x07, 0x07])  // INITIAL: JPEG, 640x480
        try host.command([0x06, 0x08, 0x00, 0x02, 0x00])  // SET PACKAGE SIZE 512

        var frames = 0
        var packages = 0
        var started: (time: Double, usage: rusage)?
        while true {
            if frames == 2 { started = (Host.now(), try Self.usage()) }
            if let started, Host.now() - started.time >= Double(seconds) { break }
            packages += try host.fetchFrame()
            frames += 1
        }
        guard let started else { return }
        let usage = try Self.usage()
        let measured = frames - 2
        let elapsed = Host.now() - started.time
        let cpu = Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime) - Self.seconds(started.usage.ru_utime) - Self.seconds(started.usage.ru_stime)
        let figures = Figures(
            frames: measured, seconds: elapsed, cpuSeconds: cpu, framesPerSecond: Double(measured) / elapsed,
            cpuSecondsPer1000Frames: cpu / Double(max(measured, 1)) * 1000, packagesPerFrame: Double(packages) / Double(frames),
            voluntarySwitchesPerFrame: Double(usage.ru_nvcsw - started.usage.ru_nvcsw) / Double(max(measured, 1)),
            involuntarySwitchesPerFrame: Double(usage.ru_nivcsw - started.usage.ru_nivcsw) / Double(max(measured, 1)))
        print(String(decoding: try JSONEncoder().encode(figures), as: UTF8.self))
    }

    private static func usage() throws(HALError) -> rusage {
        var usage = rusage()
        try systemCall("getrusage") { getrusage(RUSAGE_SELF.rawValue, &usage) }
        return usage
    }

    private static func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }

    /// The open pty and the protocol's steps on it.
    private final class Host {
        let descriptor: Int32
        let path: String
        /// Seconds one byte takes on the wire (10 bits).
        let byteTime: Double
        /// How long after its wire time a package is whole, learnt: a package found whole at the
        /// wake-up brings the next a 32nd earlier, one found short moves it to when it came.
        private var margin = 0.0005
        private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 1)

        init(path: String, speed: speed_t, baud: Int) throws(HALError) {
            self.path = path
            byteTime = 10 / Double(baud)
            descriptor = try systemCall("open", target: path) { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
            var settings = termios()
            try systemCall("tcgetattr", target: path) { [descriptor] in tcgetattr(descriptor, &settings) }
            cfmakeraw(&settings)
            settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
            try systemCall("cfsetspeed", target: path) { cfsetspeed(&settings, speed) }
            try systemCall("tcsetattr", target: path) { [descriptor] in tcsetattr(descriptor, TCSANOW, &settings) }
        }

        deinit {
            close(descriptor)
            buffer.deallocate()
        }

        static func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }

        func send(_ body: [UInt8]) throws(HALError) {
            let message = [0xAA] + body + [UInt8](repeating: 0, count: 5 - body.count)
            let written = try systemCall("write", target: path) { message.withUnsafeBytes { write(descriptor, $0.baseAddress, 6) } }
            guard written == 6 else { throw HALError(.io, operation: "write", target: path, message: "\(written) of 6 bytes written") }
        }

        /// Reads what has come, up to the buffer's byte `count`, into it from `offset`; 0 if nothing has.
        func readSome(from offset: Int, upTo count: Int) throws(HALError) -> Int {
            let got = read(descriptor, buffer.baseAddress! + offset, count - offset)
            if got >= 0 { return got }
            if errno == EAGAIN || errno == EINTR { return 0 }
            throw HALError.system(errno, operation: "read", target: path)
        }

        /// Reads the buffer's bytes from `offset` up to `count`, waiting up to `timeout` seconds.
        func receive(_ count: Int, within timeout: Double, what: String, offset: Int = 0) throws(HALError) {
            let end = Self.now() + timeout
            var received = offset
            while received < count {
                let got = try readSome(from: received, upTo: count)
                if got > 0 {
                    received += got
                    continue
                }
                let left = end - Self.now()
                guard left > 0 else {
                    throw HALError(.timedOut, operation: "read", target: path, message: "\(received) of \(count) bytes of \(what)")
                }
                var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                try systemCall("poll", target: path) { poll(&watched, 1, Int32(left * 1000) + 1) }
            }
        }

        func synchronise() throws(HALError) {
            for attempt in 0..<60 {
                try send([0x0D])
                var answered = true
                do {
                    try receive(12, within: 0.005 + Double(attempt) * 0.001, what: "SYNC's reply")
                } catch where error.kind == .timedOut {
                    answered = false
                }
                if answered && buffer[1] == 0x0E {
                    try send([0x0E, 0x0D])
                    usleep(50_000)
                    try systemCall("tcflush", target: path) { tcflush(descriptor, TCIFLUSH) }
                    return
                }
                try systemCall("tcflush", target: path) { tcflush(descriptor, TCIFLUSH) }
            }
            throw HALError(.timedOut, operation: "SYNC", target: path, message: "no answer to 60 SYNCs")
        }

        func command(_ body: [UInt8], replyCount: Int = 6) throws(HALError) {
            try send(body)
            try receive(replyCount, within: 1, what: "the reply to command \(body[0])")
            guard buffer[1] == 0x0E, buffer[2] == body[0] else {
                throw HALError(.io, operation: "command \(body[0])", target: path, message: "no ACK")
            }
        }

        /// Takes one picture and fetches all its packages; returns how many.
        func fetchFrame() throws(HALError) -> Int {
            try command([0x05])  // SNAPSHOT, compressed
            try command([0x04, 0x01], replyCount: 12)  // GET PICTURE: ACK, then DATA with the size
            let length = Int(buffer[9]) | Int(buffer[10]) << 8 | Int(buffer[11]) << 16
            let dataSize = 506
            let packages = (length + dataSize - 1) / dataSize
            for id in 0..<packages {
                let expected = min(dataSize, length - id * dataSize) + 6
                try send([0x0E, 0x00, 0x00, UInt8(id & 0xFF), UInt8(id >> 8)])
                let asked = Self.now()
                var due = timespec()
                let wake = asked + byteTime * Double(6 + expected) + margin
                due.tv_sec = Int(wake)
                due.tv_nsec = Int((wake - Double(due.tv_sec)) * 1e9)
                // Woken early by a signal, the read below finds the package short and waits for it.
                try errorNumberCall("clock_nanosleep", target: path) {
                    let result = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nil)
                    return result == EINTR ? 0 : result
                }
                let first = try readSome(from: 0, upTo: expected)
                if first == expected {
                    margin -= margin / 32
                } else {
                    let waiting = Self.now()
                    try receive(expected, within: 0.5, what: "package \(id)", offset: first)
                    margin = min(0.01, margin + Self.now() - waiting)
                }
                var sum = 0
                for index in 0..<(expected - 2) { sum &+= Int(buffer[index]) }
                guard Int(buffer[0]) | Int(buffer[1]) << 8 == id, UInt8(sum & 0xFF) == buffer[expected - 2] else {
                    throw HALError(.io, operation: "package \(id)", target: path, message: "wrong id or checksum")
                }
            }
            try send([0x0E, 0x00, 0x00, 0xF0, 0xF0])
            return packages
        }
    }
}
