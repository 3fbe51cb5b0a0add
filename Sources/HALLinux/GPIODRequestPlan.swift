import CGPIOD
import HAL

/// How ``LineSettings`` become a libgpiod request, and what Vigil does itself around it.
///
/// With the v2 API the kernel does it all: it reports only the edges asked for, debounces
/// them and stamps them on `CLOCK_MONOTONIC`, and queues ``Libgpiod/API/queuedEventsPerLine``
/// events per line. The v1 API has no kernel debounce, so a v1 request that watches edges asks
/// the kernel for both and leaves choosing among them, and debouncing, to HAL's ``EdgeFilter``.
struct GPIODRequestPlan {
    /// The settings handed to CGPIOD.
    let settings: vigil_gpiod_settings
    /// Whether the request delivers edge events.
    let watchesEdges: Bool
    /// Whether ``LinuxLineRequest`` filters and debounces the kernel's edges itself (v1).
    let filtersEdges: Bool
    /// The kernel's debounce period (v2); nil if it does not debounce.
    let kernelDebounce: Duration?

    /// Throws ``HALError/Kind/invalidArgument`` naming `target` for settings no line can have:
    /// edge detection on an output, open-drain or open-source drive on an input, a negative
    /// debounce period or one longer than the kernel takes (about 71 minutes).
    init(settings: LineSettings, lineCount: Int, api: Libgpiod.API = Libgpiod.api, target: String) throws(HALError) {
        func impossible(_ message: String) -> HALError {
            HALError(.invalidArgument, operation: "request-lines", target: target, message: message)
        }
        var plan = vigil_gpiod_settings()
        plan.active_low = settings.activeLow
        plan.output_value = settings.initialValue
        plan.event_clock = VIGIL_GPIOD_CLOCK_MONOTONIC
        switch settings.direction {
        case .output:
            guard settings.edgeDetection == .none else { throw impossible("edge detection needs an input line") }
            plan.direction = VIGIL_GPIOD_OUTPUT
            plan.drive =
                switch settings.drive {
                case .pushPull: VIGIL_GPIOD_DRIVE_PUSH_PULL
                case .openDrain: VIGIL_GPIOD_DRIVE_OPEN_DRAIN
                case .openSource: VIGIL_GPIOD_DRIVE_OPEN_SOURCE
                }
        case .input:
            guard settings.drive == .pushPull else {
                throw impossible("\(settings.drive.rawValue) drive needs an output line")
            }
            plan.direction = VIGIL_GPIOD_INPUT
        }
        plan.bias =
            switch settings.bias {
            case .asIs: VIGIL_GPIOD_BIAS_AS_IS
            case .disabled: VIGIL_GPIOD_BIAS_DISABLED
            case .pullUp: VIGIL_GPIOD_BIAS_PULL_UP
            case .pullDown: VIGIL_GPIOD_BIAS_PULL_DOWN
            }

        var debounce: Duration?
        if let period = settings.debounce {
            guard period >= .zero else { throw impossible("the debounce period cannot be negative") }
            guard period <= Self.longestKernelDebounce else {
                throw impossible("the debounce period \(period) is longer than the kernel takes (\(Self.longestKernelDebounce))")
            }
            if period > .zero { debounce = period }
        }
        watchesEdges = settings.direction == .input && settings.edgeDetection != .none
        filtersEdges = watchesEdges && api < .v2
        kernelDebounce = watchesEdges && api >= .v2 ? debounce : nil
        if watchesEdges {
            plan.edge_detection =
                switch filtersEdges ? .both : settings.edgeDetection {
                case .none: VIGIL_GPIOD_EDGE_NONE
                case .rising: VIGIL_GPIOD_EDGE_RISING
                case .falling: VIGIL_GPIOD_EDGE_FALLING
                case .both: VIGIL_GPIOD_EDGE_BOTH
                }
        }
        if let kernelDebounce {
            // Whole microseconds, rounded up: never shorter than asked.
            let nanoseconds = kernelDebounce.nanoseconds
            plan.debounce_period_us = UInt64((nanoseconds + 999) / 1000)
        }
        if watchesEdges && api >= .v2 {
            plan.event_buffer_size = UInt32(min(api.queuedEventsPerLine * lineCount, Libgpiod.maximumQueuedEvents))
        }
        self.settings = plan
    }

    /// The kernel keeps the period in microseconds in 32 bits.
    static let longestKernelDebounce = Duration.microseconds(Int64(UInt32.max))
}
