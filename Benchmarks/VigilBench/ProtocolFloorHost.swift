import ArgumentParser
import CameraProtocols
import Foundation
import HAL
import HALLinux
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
/// the package checked as the driver checks it (`OV528Package.decode`); a package not whole at
/// the wake-up is waited for with `poll`. No JPEG decode, no motion detection, no movie: what it spends is the floor under
/// any recorder's CPU a frame on this machine.
struct ProtocolFloorHost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ucam3-floor-host",
        abstract: "A minimal uCAM-III host: the protocol's least CPU a frame on this machine (the peer section runs it).",
        shouldDisplay: false)

    @Argument(help: "The camera's pty (`vigil emulate --camera ucam3`), already at --baud.")
    var port: String

    @Option(help: "The camera's baud.")
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
        guard let vga = OV528.Variant.ucam3.jpegResolution(width: 640, height: 480) else { throw ValidationError("no uCAM-III 640x480") }
        let host = try Host(path: port, configuration: SerialConfiguration(baudRate: baud))
        try host.synchronise()
        try host.command(.initialJPEG(vga, variant: .ucam3))
        try host.command(.setPackageSize(Host.packageSize))

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
        static let packageSize = OV528.packageSizes.upperBound
        let descriptor: Int32
        let path: String
        /// Seconds one byte takes on the wire.
        let byteTime: Double
        /// How long after its wire time a package is whole, learnt: a package found whole at the
        /// wake-up brings the next a 32nd earlier, one found short moves it to when it came.
        private var margin = 0.0005
        private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: packageSize, alignment: 1)

        init(path: String, configuration: SerialConfiguration) throws(HALError) {
            self.path = path
            byteTime = configuration.wireTime(forBytes: 1).seconds
            descriptor = try systemCall("open", target: path) { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
            var settings = termios()
            try systemCall("tcgetattr", target: path) { [descriptor] in tcgetattr(descriptor, &settings) }
            try TermiosSettings.apply(configuration, to: &settings, target: path)
            try systemCall("tcsetattr", target: path) { [descriptor] in tcsetattr(descriptor, TCSANOW, &settings) }
        }

        deinit {
            close(descriptor)
            buffer.deallocate()
        }

        static func now() -> Double { SystemClock().now.seconds }

        func send(_ message: OV528Message) throws(HALError) {
            let bytes = message.encoded
            let written = try systemCall("write", target: path) { bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }
            guard written == bytes.count else {
                throw HALError(.io, operation: "write", target: path, message: "\(written) of \(bytes.count) bytes written")
            }
        }

        /// The message at `offset` in the buffer.
        func message(at offset: Int) -> OV528Message? {
            OV528Message(bytes: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + OV528.messageLength)]))
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

        /// SYNC until the camera answers (ACK, then SYNC), as uCAM hosts do, then ACKs its SYNC.
        func synchronise() throws(HALError) {
            for attempt in 0..<OV528.maximumSyncTries {
                try send(.sync())
                var answered = true
                do {
                    try receive(2 * OV528.messageLength, within: 0.005 + Double(attempt) * 0.001, what: "SYNC's reply")
                } catch where error.kind == .timedOut {
                    answered = false
                }
                if answered, message(at: 0)?.acknowledges(.sync) == true {
                    try send(.ack(.sync))
                    usleep(50_000)
                    try systemCall("tcflush", target: path) { tcflush(descriptor, TCIFLUSH) }
                    return
                }
                try systemCall("tcflush", target: path) { tcflush(descriptor, TCIFLUSH) }
            }
            throw HALError(.timedOut, operation: "SYNC", target: path, message: "no answer to \(OV528.maximumSyncTries) SYNCs")
        }

        /// Sends `request` and checks that its ACK is the first of `replies` messages read.
        func command(_ request: OV528Message, replies: Int = 1) throws(HALError) {
            try send(request)
            try receive(replies * OV528.messageLength, within: 1, what: "the reply to \(request)")
            guard let command = request.knownCommand, message(at: 0)?.acknowledges(command) == true else {
                throw HALError(.io, operation: "\(request)", target: path, message: "no ACK")
            }
        }

        /// Takes one picture and fetches all its packages; returns how many.
        func fetchFrame() throws(HALError) -> Int {
            try command(.snapshot())
            try command(.getPicture(.snapshot), replies: 2)  // the ACK, then DATA with the size
            guard let data = message(at: OV528.messageLength), data.knownCommand == .data else {
                throw HALError(.io, operation: "GET PICTURE", target: path, message: "no DATA after its ACK")
            }
            let size = data.imageSize
            let packages = OV528.packageCount(imageSize: size, packageSize: Self.packageSize)
            for id in 0..<packages {
                let dataSize = OV528.packageDataSize(id: id, imageSize: size, packageSize: Self.packageSize)
                let expected = dataSize + OV528.packageOverhead
                try send(.requestPackage(UInt16(id)))
                var due = timespec()
                let wake = Self.now() + byteTime * Double(OV528.messageLength + expected) + margin
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
                do throws(OV528PackageError) {
                    _ = try OV528Package.decode(Array(buffer[..<expected]), id: UInt16(id), dataSize: dataSize)
                } catch {
                    throw HALError(.io, operation: "package \(id)", target: path, message: "\(error)")
                }
            }
            try send(.endTransfer())
            return packages
        }
    }
}
