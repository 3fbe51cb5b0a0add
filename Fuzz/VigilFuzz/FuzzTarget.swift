/// The harnesses: one a parser of outside input. Tools/fuzz names them by raw value.
enum FuzzTarget: String, CaseIterable {
    case vc0706Reply = "vc0706-reply"
    case vc0706Request = "vc0706-request"
    case ov528 = "ov528"
    case boardYAML = "board-yaml"
    case nodeYAML = "node-yaml"
    case controlRequest = "control-request"
    case mqttMessage = "mqtt-message"
    case movie = "movie"
    case duration = "duration"
    case byteCount = "byte-count"
    case rectangle = "rectangle"

    /// The target this process runs (set once, before libFuzzer starts).
    nonisolated(unsafe) static var selected = FuzzTarget.vc0706Reply

    func run(_ input: FuzzInput) {
        var input = input
        switch self {
        case .vc0706Reply: CameraProtocolHarness.vc0706Reply(&input)
        case .vc0706Request: CameraProtocolHarness.vc0706Request(&input)
        case .ov528: CameraProtocolHarness.ov528(&input)
        case .boardYAML: YAMLHarness.board(input.text)
        case .nodeYAML: YAMLHarness.node(input.text)
        case .controlRequest: ControlHarness.request(input.bytes)
        case .mqttMessage: MQTTHarness.message(input.bytes)
        case .movie: MovieHarness.read(input.bytes)
        case .duration: UnitHarness.duration(input.text)
        case .byteCount: UnitHarness.byteCount(input.text)
        case .rectangle: UnitHarness.rectangle(&input)
        }
    }
}
