import CGPIOD
import Glibc
import HAL

/// A GPIO chip of the Linux kernel, driven through libgpiod 1.6 (the v1 character-device
/// interface).
///
/// The chip stays open while this object or any request made through it lives. Calls on the
/// chip and on its requests are serialised by one lock, as libgpiod needs.
public final class LinuxGPIOChip: GPIOChip {
    /// The chip's kernel name, label, device path and line count, read when it was opened.
    public let info: ChipInfo
    private let handle: GPIOChipHandle

    /// Opens a chip with `open`, one of the `gpiod_chip_open*` calls, named `operation`.
    /// Throws ``HALError/Kind/notFound`` naming `target` if there is no such chip or the device
    /// is not a GPIO chip (`ENODEV`, `ENOTTY`), the failing call's error otherwise.
    ///
    /// - Parameter path: the chip's device path if known; otherwise `devicesDirectory` and the
    ///   chip's kernel name.
    static func open(
        _ operation: String, target: String, path: String?, devicesDirectory: String,
        _ open: () -> OpaquePointer?
    ) throws(HALError) -> LinuxGPIOChip {
        let chip: OpaquePointer
        do {
            chip = try systemCall(operation, target: target, open)
        } catch where error.kind == .notFound {
            throw HALError(
                .notFound, operation: operation, target: target, errno: error.errno, message: "no such GPIO chip")
        } catch where error.errno == ENODEV || error.errno == ENOTTY {
            throw HALError(
                .notFound, operation: operation, target: target, errno: error.errno, message: "not a GPIO chip")
        }
        let name = String(optionalCString: gpiod_chip_name(chip)) ?? ""
        let info = ChipInfo(
            name: name, label: String(optionalCString: gpiod_chip_label(chip)) ?? "",
            path: path ?? "\(devicesDirectory)/\(name)", lineCount: Int(gpiod_chip_num_lines(chip)))
        return LinuxGPIOChip(info: info, handle: GPIOChipHandle(chip))
    }

    private init(info: ChipInfo, handle: GPIOChipHandle) {
        self.info = info
        self.handle = handle
    }

    /// What the kernel reports about the line at `offset` now: name, consumer, whether it is
    /// in use, direction, active-low, bias and drive. Throws ``HALError/Kind/invalidArgument``
    /// naming the chip and offset if the chip has no such line.
    public func lineInfo(_ offset: Int) throws(HALError) -> LineInfo {
        let lineOffset = try checked(offset, operation: "line-info")
        return try handle.withChip { chip throws(HALError) in
            let line = try systemCall("gpiod_chip_get_line", target: "\(info.name):\(offset)") {
                gpiod_chip_get_line(chip, lineOffset)
            }
            let bias: LineBias =
                switch Int(gpiod_line_bias(line)) {
                case GPIOD_LINE_BIAS_DISABLE: .disabled
                case GPIOD_LINE_BIAS_PULL_UP: .pullUp
                case GPIOD_LINE_BIAS_PULL_DOWN: .pullDown
                default: .asIs
                }
            let drive: LineDrive =
                gpiod_line_is_open_drain(line) ? .openDrain : gpiod_line_is_open_source(line) ? .openSource : .pushPull
            return LineInfo(
                offset: offset, name: String(optionalCString: gpiod_line_name(line)),
                consumer: String(optionalCString: gpiod_line_consumer(line)),
                isUsed: gpiod_line_is_used(line),
                direction: Int(gpiod_line_direction(line)) == GPIOD_LINE_DIRECTION_OUTPUT ? .output : .input,
                activeLow: Int(gpiod_line_active_state(line)) == GPIOD_LINE_ACTIVE_STATE_LOW, bias: bias, drive: drive)
        }
    }

    /// Requests the lines at `offsets` together (`gpiod_line_request_bulk`) for `consumer`.
    ///
    /// Throws ``HALError/Kind/invalidArgument`` naming the chip and offset for an offset the
    /// chip does not have, an offset given twice, no offsets or more than libgpiod's 64, or
    /// impossible settings; ``HALError/Kind/busy`` if another consumer holds one of the lines.
    public func requestLines(
        _ offsets: [Int], settings: LineSettings, consumer: String
    ) throws(HALError) -> any LineRequest {
        guard !offsets.isEmpty, offsets.count <= Int(GPIOD_LINE_BULK_MAX_LINES) else {
            throw HALError(
                .invalidArgument, operation: "request-lines", target: info.name,
                message: "request 1 to \(GPIOD_LINE_BULK_MAX_LINES) lines, not \(offsets.count)")
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
