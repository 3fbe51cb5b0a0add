import Glibc
import HAL
import SystemCalls

/// How a ``SerialConfiguration`` is expressed in a `termios`: the ports here, and any program
/// that drives a tty itself (Tools/bench's minimal hosts), set it the same way.
public enum TermiosSettings {
    /// Puts `settings` in raw mode for binary traffic: every byte value passes unchanged,
    /// reads return at once (`VMIN` = `VTIME` = 0).
    ///
    /// Clears everything `cfmakeraw(3)` clears (except the character size and parity, which
    /// belong to the framing) and also `IXOFF`, `IXANY`, `IUCLC` and `IMAXBEL`. XON/XOFF
    /// (`IXON | IXOFF`) is set only for ``SerialConfiguration/FlowControl/software``: left on,
    /// it swallows the bytes 0x11 and 0x13.
    static func makeRaw(_ settings: inout termios, flowControl: SerialConfiguration.FlowControl) {
        settings.c_iflag &= ~tcflag_t(
            IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IUCLC | IMAXBEL | IXANY)
        if flowControl == .software {
            settings.c_iflag |= tcflag_t(IXON | IXOFF)
        } else {
            settings.c_iflag &= ~tcflag_t(IXON | IXOFF)
        }
        settings.c_oflag &= ~tcflag_t(OPOST)
        settings.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        withUnsafeMutableBytes(of: &settings.c_cc) { characters in
            characters[Int(VMIN)] = 0
            characters[Int(VTIME)] = 0
        }
    }

    /// Sets raw mode, the framing (data bits, parity, stop bits), the flow control and the
    /// speed of `configuration` in `settings`. Throws ``HALError/Kind/invalidArgument`` naming
    /// `target` for a baud rate termios has no constant for.
    public static func apply(
        _ configuration: SerialConfiguration, to settings: inout termios, target: String
    ) throws(HALError) {
        makeRaw(&settings, flowControl: configuration.flowControl)

        settings.c_cflag &= ~tcflag_t(CSIZE)
        settings.c_cflag |= characterSize(configuration.dataBits)
        switch configuration.parity {
        case .none: settings.c_cflag &= ~tcflag_t(PARENB | PARODD)
        case .odd: settings.c_cflag |= tcflag_t(PARENB | PARODD)
        case .even:
            settings.c_cflag |= tcflag_t(PARENB)
            settings.c_cflag &= ~tcflag_t(PARODD)
        }
        if configuration.stopBits == .two {
            settings.c_cflag |= tcflag_t(CSTOPB)
        } else {
            settings.c_cflag &= ~tcflag_t(CSTOPB)
        }
        if configuration.flowControl == .hardware {
            settings.c_cflag |= tcflag_t(CRTSCTS)
        } else {
            settings.c_cflag &= ~tcflag_t(CRTSCTS)
        }

        guard let speed = speed(forBaudRate: configuration.baudRate) else {
            throw HALError(
                .invalidArgument, operation: "cfsetspeed", target: target,
                message: "termios has no speed constant for \(configuration.baudRate) baud")
        }
        try systemCall("cfsetispeed", target: target) { cfsetispeed(&settings, speed) }
        try systemCall("cfsetospeed", target: target) { cfsetospeed(&settings, speed) }
    }

    /// The termios constant (`B9600`, ...) for `baudRate`; nil if there is none.
    ///
    /// Each constant converts to `speed_t` on its own: the C headers give them as `int`
    /// (glibc up to 2.42) or `unsigned` (2.43, `9600U`), so no Swift integer type is assumed.
    static func speed(forBaudRate baudRate: Int) -> speed_t? {
        switch baudRate {
        case 1200: speed_t(B1200)
        case 2400: speed_t(B2400)
        case 4800: speed_t(B4800)
        case 9600: speed_t(B9600)
        case 19200: speed_t(B19200)
        case 38400: speed_t(B38400)
        case 57600: speed_t(B57600)
        case 115200: speed_t(B115200)
        case 230400: speed_t(B230400)
        case 460800: speed_t(B460800)
        case 921600: speed_t(B921600)
        default: nil
        }
    }

    private static func characterSize(_ dataBits: Int) -> tcflag_t {
        switch dataBits {
        case 5: tcflag_t(CS5)
        case 6: tcflag_t(CS6)
        case 7: tcflag_t(CS7)
        default: tcflag_t(CS8)
        }
    }
}
