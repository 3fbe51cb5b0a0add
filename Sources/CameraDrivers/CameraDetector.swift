import HAL

/// Finds out which camera family is on a port and at what baud, and connects its driver.
///
/// In three passes, cheapest first: a VC0706 GEN_VERSION at each VC0706 baud (a VC0706 answers
/// at once, an OV528-family camera ignores it or NAKs it); SYNC, as the uCAM hosts send it, at
/// each OV528 baud (which also tells an OV528 from a uCAM-III); and last the preferred family's
/// full recovery (VC0706: SYSTEM_RESET at each baud), with a power cycle where the options
/// give a power switch.
public struct CameraDetector<Port: SerialPort>: Sendable {
    /// The protocol families.
    public enum Family: String, Sendable, Hashable, CaseIterable {
        case vc0706
        /// OV528 and uCAM-III.
        case ov528
    }

    public let port: Port
    public var vc0706: VC0706Camera<Port>.Options
    public var ov528: OV528Camera<Port>.Options
    /// The family whose full recovery (and power cycle) is tried last.
    public var preferred: Family
    /// How long the quick VC0706 check waits for an answer at each baud.
    public var quickReplyMargin: Duration = .milliseconds(100)

    public init(port: Port, vc0706: VC0706Camera<Port>.Options, ov528: OV528Camera<Port>.Options, preferred: Family) {
        self.port = port
        self.vc0706 = vc0706
        self.ov528 = ov528
        self.preferred = preferred
    }

    /// The connected driver of whatever camera answered, and what it reports.
    public func connect() async throws(CameraError) -> (camera: any Camera, info: CameraInfo) {
        var quick = vc0706
        quick.replyMargin = quickReplyMargin
        quick.power = nil
        for baud in vc0706.probeBauds {
            _ = try await port.switchBaud(to: baud)
            if (try? await VC0706Camera(port: port, options: quick).firmwareVersion()) != nil {
                var options = vc0706
                options.probeBauds = [baud] + vc0706.probeBauds.filter { $0 != baud }
                let camera = VC0706Camera(port: port, options: options)
                return (camera, try await camera.connect())
            }
        }
        // A line that is not quiet after about two seconds of its wire's worth is no camera
        // waiting for a command: something on it streams.
        try await port.discardInput(quiet: .milliseconds(50), limit: max(port.configuration.baudRate / 5, 512)) {
            "something on \(port.name) keeps sending (\($0) bytes and more) and never goes quiet: no camera can be probed there"
        }

        var syncOnly = ov528
        syncOnly.power = nil
        if let first = ov528.probeBauds.first { _ = try await port.switchBaud(to: first) }
        var failures: [CameraError] = []
        do throws(CameraError) {
            let camera = OV528Camera(port: port, options: preferred == .ov528 ? ov528 : syncOnly)
            return (camera, try await camera.connect())
        } catch where error.kind != .cancelled {
            failures.append(error)
        }
        if preferred == .vc0706 {
            do throws(CameraError) {
                let camera = VC0706Camera(port: port, options: vc0706)
                return (camera, try await camera.connect())
            } catch where error.kind != .cancelled {
                failures.append(error)
            }
        }
        throw CameraError(.noCamera, "no camera found on \(port.name): " + failures.map(\.message).joined(separator: "; "))
    }
}
