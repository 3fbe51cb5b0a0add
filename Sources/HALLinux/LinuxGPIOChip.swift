import CGPIOD
import Glibc
import HAL

/// A GPIO chip of the Linux kernel, driven through libgpiod (see ``Libgpiod`` for which API).
///
/// The chip stays open while this object or any request made through it lives. Calls on the
/// chip and on its requests are serialised by one lock, as libgpiod v1 needs.
public final class LinuxGPIOChip: GPIOChip {
    /// The chip's kernel name, label, device path and line count, read when it was opened.
    public let info: ChipInfo
    private let handle: GPIOChipHandle

    /// Opens the chip device at `path`. Throws ``HALError/Kind/notFound`` naming `target`
    /// (default: the path) if there is no such device or it is not a GPIO chip (`ENODEV`,
    /// `ENOTTY`), the failing call's error otherwise.
    static func open(path: String, target: String? = nil) throws(HALError) -> LinuxGPIOChip {
        let target = target ?? path
        let chip: OpaquePointer
        do {
            chip = try gpiodCall(target: target) { vigil_gpiod_chip_open(path) }
        } catch where error.kind == .notFound {
            throw HALError(
                .notFound, operation: error.operation, target: target, errno: error.errno, message: "no such GPIO chip")
        } catch where error.errno == ENODEV || error.errno == ENOTTY {
            throw HALError(
                .notFound, operation: error.operation, target: target, errno: error.errno, message: "not a GPIO chip")
        }
        let handle = GPIOChipHandle(chip)
        var chipInfo = vigil_gpiod_chip_info()
        try gpiodCall(target: target) { vigil_gpiod_chip_get_info(chip, &chipInfo) }
        let info = ChipInfo(
            name: String(fixedCString: chipInfo.name), label: String(fixedCString: chipInfo.label), path: path,
            lineCount: Int(chipInfo.num_lines))
        return LinuxGPIOChip(info: info, handle: handle)
    }

    private init(info: ChipInfo, handle: GPIOChipHandle) {
        self.info = info
        self.handle = handle
    }

    /// What the kernel reports about the line at `offset` now: name, consumer, whether it is
    /// in use, direction, active-low, bias and drive. Throws ``HALError/Kind/invalidArgument``
    /// naming the chip and offset if the chip has no such line.
    public func lineInfo(_ offset: Int) throws(HALError) -> LineInfo {
        let line = try kernelLineInfo(offset)
        let bias: LineBias =
            switch line.bias {
            case VIGIL_GPIOD_BIAS_DISABLED: .disabled
            case VIGIL_GPIOD_BIAS_PULL_UP: .pullUp
            case VIGIL_GPIOD_BIAS_PULL_DOWN: .pullDown
            default: .asIs
            }
        let drive: LineDrive =
            switch line.drive {
            case VIGIL_GPIOD_DRIVE_OPEN_DRAIN: .openDrain
            case VIGIL_GPIOD_DRIVE_OPEN_SOURCE: .openSource
            default: .pushPull
            }
        let name = String(fixedCString: line.name)
        let consumer = String(fixedCString: line.consumer)
        return LineInfo(
            offset: offset, name: name.isEmpty ? nil : name, consumer: consumer.isEmpty ? nil : consumer,
            isUsed: line.used, direction: line.direction == VIGIL_GPIOD_OUTPUT ? .output : .input,
            activeLow: line.active_low, bias: bias, drive: drive)
    }

    /// How the kernel watches the line at `offset` for edges: which edges, its debounce
    /// period and the clock it stamps events with. nil with libgpiod's v1 API, which cannot
    /// read them. Throws ``HALError/Kind/invalidArgument`` for an offset the chip does not have.
    public func eventSettings(of offset: Int) throws(HALError) -> LinuxLineEventSettings? {
        let line = try kernelLineInfo(offset)
        guard line.reports_events else { return nil }
        let edges: EdgeDetection =
            switch line.edge_detection {
            case VIGIL_GPIOD_EDGE_RISING: .rising
            case VIGIL_GPIOD_EDGE_FALLING: .falling
            case VIGIL_GPIOD_EDGE_BOTH: .both
            default: .none
            }
        let clock: LinuxEventClock? =
            switch line.event_clock {
            case VIGIL_GPIOD_CLOCK_MONOTONIC: .monotonic
            case VIGIL_GPIOD_CLOCK_REALTIME: .realtime
            case VIGIL_GPIOD_CLOCK_HTE: .hardware
            default: nil
            }
        let debounce = line.debounce_period_us == 0 ? nil : Duration.microseconds(Int64(clamping: line.debounce_period_us))
        return LinuxLineEventSettings(edgeDetection: edges, debounce: debounce, eventClock: clock)
    }

    /// Requests the lines at `offsets` together for `consumer`.
    ///
    /// Throws ``HALError/Kind/invalidArgument`` naming the chip and offset for an offset the
    /// chip does not have, an offset given twice, no offsets or more than 64 (the kernel's
    /// limit), or impossible settings; ``HALError/Kind/busy`` if another consumer holds one of
    /// the lines.
    public func requestLines(
        _ offsets: [Int], settings: LineSettings, consumer: String
    ) throws(HALError) -> any LineRequest {
        guard !offsets.isEmpty, offsets.count <= Self.maximumLinesPerRequest else {
            throw HALError(
                .invalidArgument, operation: "request-lines", target: info.name,
                message: "request 1 to \(Self.maximumLinesPerRequest) lines, not \(offsets.count)")
        }
        var seen: Set<Int> = []
        for offset in offsets {
            _ = try checked(offset, operation: "request-lines")
            guard seen.insert(offset).inserted else {
                throw HALError(
                    .invalidArgument, operation: "request-lines", target: "\(info.name):\(offset)",
                    message: "line listed twice")
            }
        }
        return try LinuxLineRequest(
            chip: handle, chipName: info.name, offsets: offsets, settings: settings, consumer: consumer)
    }

    /// The kernel's limit on the lines of one request (`GPIO_V2_LINES_MAX`, and libgpiod v1's
    /// `GPIOD_LINE_BULK_MAX_LINES`).
    static let maximumLinesPerRequest = 64

    private func kernelLineInfo(_ offset: Int) throws(HALError) -> vigil_gpiod_line_info {
        let lineOffset = try checked(offset, operation: "line-info")
        return try handle.withChip { chip throws(HALError) in
            var line = vigil_gpiod_line_info()
            try gpiodCall(target: "\(info.name):\(offset)") { vigil_gpiod_chip_get_line_info(chip, lineOffset, &line) }
            return line
        }
    }

    /// `offset` as libgpiod takes it; throws if the chip has no such line.
    private func checked(_ offset: Int, operation: String) throws(HALError) -> UInt32 {
        guard (0..<info.lineCount).contains(offset), let lineOffset = UInt32(exactly: offset) else {
            let lines = info.lineCount == 0 ? "no lines" : "lines 0 to \(info.lineCount - 1)"
            throw HALError(
                .invalidArgument, operation: operation, target: "\(info.name):\(offset)",
                message: "\(info.name) has \(lines)")
        }
        return lineOffset
    }
}

/// The clock the kernel stamps a line's edge events with.
public enum LinuxEventClock: String, Sendable, Hashable, Codable {
    /// `CLOCK_MONOTONIC`, ``SystemClock``'s: the one Vigil asks for.
    case monotonic
    /// `CLOCK_REALTIME`, the wall clock.
    case realtime
    /// A hardware timestamp engine (HTE), on the few chips that have one.
    case hardware
}

/// How the kernel watches a line for edges, as libgpiod's v2 API reports it.
public struct LinuxLineEventSettings: Sendable, Hashable {
    /// The edges the kernel reports.
    public var edgeDetection: EdgeDetection
    /// The kernel's debounce period; nil if it does not debounce the line.
    public var debounce: Duration?
    /// The clock of its events' timestamps; nil if the kernel names none Vigil knows.
    public var eventClock: LinuxEventClock?

    public init(edgeDetection: EdgeDetection, debounce: Duration?, eventClock: LinuxEventClock?) {
        self.edgeDetection = edgeDetection
        self.debounce = debounce
        self.eventClock = eventClock
    }
}
