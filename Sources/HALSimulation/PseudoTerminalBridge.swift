import HAL
import Foundation
import Synchronization
import CPosix
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// Exposes the host end of a ``SimulatedSerialLink`` as a real pseudo-terminal, so that any
/// program (ours, a Python script, `picocom`) can talk to a simulated device through a path
/// such as `/dev/pts/7`.
///
/// Bytes written to the pty go onto the link at once (a thread of the bridge's own reads
/// them); bytes the link delivers to its host end are written to the pty by ``run()`` as they
/// arrive, so they keep the link's pacing. Run ``run()`` inside a simulation paced at real
/// time: ``Simulation/run(clock:speed:quietPeriod:_:)`` with a speed.
///
/// A program may write far faster than the wire carries (nothing paces a pty): the link's
/// device end gets a receive FIFO of ``uartFIFO`` bytes that drops on overrun, as a UART
/// does, so that a flood of garbage costs the device a fraction of a second of wire time,
/// not the hours it would take to carry it all, and its next valid command is answered.
/// Drops are counted in ``SimulatedSerialLink/deviceOverruns``.
///
/// With `followHostBaud`, the bridge sets the link's host end to whatever speed the program
/// set on the pty (on Linux the master reports the slave's termios), so a program at the
/// wrong baud gets garbage, as on a wire.
public final class PseudoTerminalBridge: Sendable {
    /// The path a program opens, such as `/dev/pts/7`.
    public let path: String
    private let master: Int32
    private let link: SimulatedSerialLink
    private let followHostBaud: Bool
    private let stopped = Atomic<Bool>(false)

    public init(link: SimulatedSerialLink, followHostBaud: Bool = true) throws(HALError) {
        let master = try systemCall("posix_openpt", target: "/dev/ptmx") { vigil_open_pty_master(O_RDWR | O_NOCTTY | O_CLOEXEC) }
        do throws(HALError) {
            var buffer = [CChar](repeating: 0, count: 128)
            try systemCall("ptsname_r", target: "/dev/ptmx") {
                let code = ptsname_r(master, &buffer, buffer.count)
                if code != 0 { errno = code; return -1 }
                return 0
            }
            path = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var attributes = termios()
            try systemCall("tcgetattr", target: path) { tcgetattr(master, &attributes) }
            cfmakeraw(&attributes)
            let speed = PseudoTerminalBridge.speedConstant(for: link.host.configuration.baudRate)
            cfsetispeed(&attributes, speed)
            cfsetospeed(&attributes, speed)
            try systemCall("tcsetattr", target: path) { tcsetattr(master, TCSANOW, &attributes) }
            let flags = try systemCall("fcntl", target: path) { fcntl(master, F_GETFL) }
            try systemCall("fcntl", target: path) { fcntl(master, F_SETFL, flags | O_NONBLOCK) }
        } catch {
            close(master)
            throw error
        }
        self.master = master
        self.link = link
        link.setDeviceReceiveFIFO(Self.uartFIFO)
        self.followHostBaud = followHostBaud
        start()
    }

    private func start() {
        let thread = Thread { [self] in pumpIntoLink() }
        thread.name = "vigil-pty-bridge"
        thread.start()
    }

    /// Stops pumping and closes the pty. The path disappears; a program that has it open
    /// sees end of file or EIO.
    public func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // The reading thread notices `stopped` within one poll slice and closes the master;
        // ``run()`` within one read.
    }

    private func syncHostBaud() {
        guard followHostBaud else { return }
        var attributes = termios()
        guard tcgetattr(master, &attributes) == 0,
              let baud = PseudoTerminalBridge.baudRate(for: cfgetospeed(&attributes)) else { return }
        let current = link.host.configuration
        if current.baudRate != baud {
            var updated = current
            updated.baudRate = baud
            try? link.core.reconfigure(.host, updated, name: link.host.name)
        }
    }

    private func pumpIntoLink() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopped.load(ordering: .sequentiallyConsistent) {
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 20)
            syncHostBaud()
            guard ready > 0 else { continue }
            let count = read(master, &buffer, buffer.count)
            if count > 0 {
                try? link.core.write(Array(buffer[0..<count]), from: .host, name: link.host.name)
            } else if count < 0 && errno != EAGAIN && errno != EINTR {
                // EIO: no program has the slave open right now. Wait for one.
                usleep(10_000)
            }
        }
        Glibc.close(master)
    }

    /// Writes what the link delivers to the pty, at the link's pace, until the task is
    /// cancelled or the bridge stopped.
    public func run() async {
        while !stopped.load(ordering: .sequentiallyConsistent) && !Task.isCancelled {
            let bytes: [UInt8]
            do {
                bytes = try await link.host.read(upTo: 4096, deadline: link.host.clock.now.advanced(by: .milliseconds(100)))
            } catch {
                if error.kind == .cancelled || error.kind == .closed { return }
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            var offset = 0
            while offset < bytes.count && !stopped.load(ordering: .sequentiallyConsistent) {
                let written = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                if written > 0 {
                    offset += written
                } else {
                    // The pty is full (nobody reading) or has no reader: retry shortly.
                    do { try await link.host.clock.sleep(for: .milliseconds(2)) } catch { return }
                }
            }
            if !bytes.isEmpty && bytes.count < 4096 {
                // Collect for a couple of milliseconds rather than waking once per byte: the
                // program still sees the link's pace, in small bursts, as from a UART's FIFO.
                try? await link.host.clock.sleep(for: .milliseconds(2))
            }
        }
    }

    deinit { stop() }

    /// The device's receive FIFO behind a bridge, in bytes: a USB serial adapter's (an FT232R
    /// holds 256), about 67 ms of wire time at 38400 baud.
    public static let uartFIFO = 256

    static let speeds: [(Int, speed_t)] = [
        (1200, speed_t(B1200)), (2400, speed_t(B2400)), (4800, speed_t(B4800)), (9600, speed_t(B9600)),
        (19200, speed_t(B19200)), (38400, speed_t(B38400)), (57600, speed_t(B57600)),
        (115200, speed_t(B115200)), (230400, speed_t(B230400)), (460800, speed_t(B460800)),
        (921600, speed_t(B921600)),
    ]

    static func speedConstant(for baud: Int) -> speed_t {
        speeds.first { $0.0 == baud }?.1 ?? speed_t(B38400)
    }

    static func baudRate(for speed: speed_t) -> Int? {
        speeds.first { $0.1 == speed }?.0
    }
}
