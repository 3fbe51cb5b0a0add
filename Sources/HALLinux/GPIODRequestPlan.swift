import CGPIOD
import HAL

/// How ``LineSettings`` become a libgpiod v1 line request: its type and flags.
///
/// The v1 interface has no kernel debounce, so a request that watches edges always asks the
/// kernel for both and leaves choosing among them, and debouncing, to HAL's ``EdgeFilter``.
struct GPIODRequestPlan {
    /// One of the `GPIOD_LINE_REQUEST_*` types.
    let requestType: Int32
    /// `GPIOD_LINE_REQUEST_FLAG_*` bits.
    let flags: Int32

    /// Whether the request delivers edge events.
    var watchesEdges: Bool { requestType == Int32(GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES) }

    /// Throws ``HALError/Kind/invalidArgument`` naming `target` for settings no line can have:
    /// edge detection on an output, open-drain or open-source drive on an input, a negative
    /// debounce period.
    init(settings: LineSettings, target: String) throws(HALError) {
        func impossible(_ message: String) -> HALError {
            HALError(.invalidArgument, operation: "request-lines", target: target, message: message)
        }
        var flags: Int32 = 0
        switch settings.direction {
        case .output:
            guard settings.edgeDetection == .none else { throw impossible("edge detection needs an input line") }
            requestType = Int32(GPIOD_LINE_REQUEST_DIRECTION_OUTPUT)
            switch settings.drive {
            case .pushPull: break
            case .openDrain: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN)
            case .openSource: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_OPEN_SOURCE)
            }
        case .input:
            guard settings.drive == .pushPull else {
                throw impossible("\(settings.drive.rawValue) drive needs an output line")
            }
            requestType = Int32(
                settings.edgeDetection == .none
                    ? GPIOD_LINE_REQUEST_DIRECTION_INPUT : GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES)
        }
        if let debounce = settings.debounce, debounce < .zero {
            throw impossible("the debounce period cannot be negative")
        }
        if settings.activeLow { flags |= Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) }
        switch settings.bias {
        case .asIs: break
        case .disabled: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
        case .pullUp: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
        case .pullDown: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
        }
        self.flags = flags
    }
}
