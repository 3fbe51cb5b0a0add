import BoardSupport
import CameraDrivers
import CameraProtocols
import EventStore
import HAL
import Foundation
import Recorder
import Yams

extension NodeConfiguration {
    static let topLevelKeys = ["board", "storage", "retention", "cameras", "events", "triggers", "hooks", "outputs", "require-hardware", "http", "mqtt"]

    /// Reads the configuration file at `path`; every problem is reported as `file:line:column: message`.
    public static func load(path: String) throws -> NodeConfiguration {
        let text: String
        do { text = try YAMLFile.read(atPath: path) } catch { throw NodeError("cannot read the configuration file \(path): \(error.message)") }
        return try parse(yaml: text, file: path)
    }

    /// Parses and validates a configuration's text, collecting every problem in one pass.
    public static func parse(yaml: String, file: String) throws -> NodeConfiguration {
        let composed = ComposedYAML(yaml: yaml, file: file)
        guard composed.diagnostics.isEmpty else { throw ConfigurationError(diagnostics: composed.diagnostics) }
        var parser = NodeConfigurationParser(reader: NodeReader(file: file, renamedKeys: composed.renamedKeys))
        let configuration = composed.root.map { parser.configuration(from: $0) } ?? NodeConfiguration()
        if let root = composed.root { parser.reader.reportUnvisitedDuplicates(in: root) }
        let diagnostics = parser.reader.diagnostics.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
        guard diagnostics.isEmpty else { throw ConfigurationError(diagnostics: diagnostics) }
        return configuration
    }
}

/// Every problem found in a configuration file.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var diagnostics: [BoardDiagnostic]
    public var description: String {
        "invalid configuration:\n" + diagnostics.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Checks a configuration's node tree and builds the ``NodeConfiguration`` it describes.
struct NodeConfigurationParser {
    var reader: NodeReader

    mutating func configuration(from root: Node) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        if root.tagName == .null { return configuration }
        guard
            let top = reader.fields(
                of: root, subject: "the configuration", context: "at the top level", allowed: NodeConfiguration.topLevelKeys)
        else { return configuration }
        if let node = top["board"], let board = reader.text(node, top.what("board")) { configuration.board = board }
        if let node = top["storage"], let storage = reader.text(node, top.what("storage")) {
            if let problem = StorageLayout.problem(withRoot: storage) {
                reader.report(problem, at: node)
            } else {
                configuration.storage = storage
            }
        }
        if let node = top["retention"] { configuration.retention = retention(node, default: configuration.retention) }
        if let node = top["cameras"] { configuration.cameras = cameras(node) }
        if let node = top["events"] { configuration.events = events(node) }
        if let node = top["triggers"] { configuration.triggers = triggers(node) }
        if let node = top["hooks"] { configuration.hooks = hooks(node) }
        if let node = top["outputs"] { configuration.outputs = outputs(node) }
        if let node = top["http"] { configuration.http = http(node) }
        if let node = top["require-hardware"], let value = reader.bool(node, top.what("require-hardware")) {
            configuration.requireHardware = value
        }
        if let node = top["mqtt"] { configuration.mqtt = mqtt(node) }
        return configuration
    }

    // MARK: Sections

    private mutating func retention(_ node: Node, default policy: RetentionPolicy) -> RetentionPolicy {
        guard let fields = reader.fields(of: node, subject: "'retention'", context: "in retention", allowed: ["max-age", "max-bytes", "min-free"]) else {
            return policy
        }
        var policy = policy
        if let node = fields["max-age"] { policy.maxAge = positiveDuration(node, fields.what("max-age")) }
        if let node = fields["max-bytes"] { policy.maxTotalBytes = bytes(node, fields.what("max-bytes")) }
        if let node = fields["min-free"] { policy.minFreeBytes = bytes(node, fields.what("min-free")) }
        return policy
    }

    private mutating func cameras(_ node: Node) -> [NodeConfiguration.Camera] {
        guard let items = reader.list(node, "'cameras'") else { return [NodeConfiguration.Camera()] }
        guard !items.isEmpty else {
            reader.report("'cameras' must list at least one camera (or be left out for the board's camera)", at: node)
            return []
        }
        let keys = ["name", "port", "model", "baud", "max-baud", "size", "compression", "verify"]
        var cameras: [NodeConfiguration.Camera] = []
        var names: [String: Node] = [:]
        for (number, item) in items.enumerated() {
            let context = "in camera \(number + 1)"
            guard let fields = reader.fields(of: item, subject: "camera \(number + 1) of 'cameras'", context: context, allowed: keys) else { continue }
            var camera = NodeConfiguration.Camera()
            camera.name = items.count == 1 ? "camera" : "camera\(number + 1)"
            if let node = fields["name"], let name = reader.text(node, fields.what("name")) {
                if !StorageLayout.isValid(camera: name) {
                    reader.report("camera name '\(name)' may hold only letters, digits, '_' and '-'", at: node)
                } else if let first = names[name] {
                    reader.report("camera name '\(name)' is used twice (first at \(first.mark.map { "\($0.line):\($0.column)" } ?? "?"))", at: node)
                } else {
                    names[name] = node
                }
                camera.name = name
            }
            if let node = fields["port"] { camera.port = reader.text(node, fields.what("port")) }
            if let node = fields["model"] { camera.model = reader.choice(node, CameraModel.self, noun: "camera model", context: context) }
            if let node = fields["baud"] { camera.baud = baud(node, fields.what("baud")) }
            if let node = fields["max-baud"], let value = baud(node, fields.what("max-baud")) { camera.maxBaud = value }
            if let node = fields["size"], let text = reader.text(node, fields.what("size")) {
                if let (width, height) = NodeConfiguration.frameSize(text) {
                    (camera.width, camera.height) = (width, height)
                } else {
                    reader.report("\(fields.what("size")) must be WxH, such as 320x240, not '\(text)'", at: node)
                }
            }
            if let node = fields["compression"] { camera.compression = ranged(node, fields.what("compression"), 0...255) }
            if let node = fields["verify"], let value = reader.bool(node, fields.what("verify")) { camera.verify = value }
            cameras.append(camera)
        }
        return cameras
    }

    private mutating func events(_ node: Node) -> EventMachine<CapturedFrame>.Settings {
        let defaults = EventMachine<CapturedFrame>.Settings()
        guard
            let fields = reader.fields(
                of: node, subject: "'events'", context: "in events", allowed: ["movies", "pre-capture", "post-capture", "event-gap", "max-movie-length"])
        else { return defaults }
        // Pre-capture frames are held in memory: minutes at most. The others bound one event.
        func read(_ key: String, _ fallback: Duration, allowZero: Bool = true, maximum: Duration = .seconds(86400)) -> Duration {
            guard let node = fields[key], let value = reader.duration(node, fields.what(key)) else { return fallback }
            if value < .zero || (!allowZero && value == .zero) {
                reader.report("\(fields.what(key)) must be \(allowZero ? "zero or more" : "more than zero"), not \(value.humanReadable)", at: node)
                return fallback
            }
            if value > maximum {
                reader.report("\(fields.what(key)) must be at most \(maximum.humanReadable), not \(value.humanReadable)", at: node)
                return fallback
            }
            return value
        }
        var movies = defaults.movies
        if let node = fields["movies"], let value = reader.bool(node, fields.what("movies")) { movies = value }
        let settings = EventMachine<CapturedFrame>.Settings(
            preCapture: read("pre-capture", defaults.preCapture, maximum: .seconds(300)), postCapture: read("post-capture", defaults.postCapture),
            eventGap: read("event-gap", defaults.eventGap), maxMovieLength: read("max-movie-length", defaults.maxMovieLength, allowZero: false),
            movies: movies)
        if let node = fields["event-gap"], let gap = reader.duration(node, "event-gap"), gap < settings.postCapture {
            reader.report("'event-gap' (\(gap.humanReadable)) must be at least 'post-capture' (\(settings.postCapture.humanReadable))", at: node)
        }
        return settings
    }

    private mutating func triggers(_ node: Node) -> NodeConfiguration.Triggers {
        var triggers = NodeConfiguration.Triggers()
        guard
            let fields = reader.fields(of: node, subject: "'triggers'", context: "in triggers", allowed: ["pir", "camera-motion", "tamper", "motion"])
        else { return triggers }
        if let node = fields["pir"], let value = reader.bool(node, fields.what("pir")) { triggers.pir = value }
        if let node = fields["camera-motion"], let value = reader.bool(node, fields.what("camera-motion")) { triggers.cameraMotion = value }
        if let node = fields["tamper"], let value = reader.bool(node, fields.what("tamper")) { triggers.tamper = value }
        if let node = fields["motion"] { triggers.motion = motion(node) }
        return triggers
    }

    private mutating func motion(_ node: Node) -> NodeConfiguration.Motion {
        var motion = NodeConfiguration.Motion()
        if node.tagName == .bool, let enabled = node.bool {
            motion.enabled = enabled
            return motion
        }
        let keys = ["enabled", "threshold", "automatic-noise", "changed-fraction", "adaptation", "minimum-frames", "mask"]
        guard let fields = reader.fields(of: node, subject: "'motion' in triggers", context: "in motion", allowed: keys) else { return motion }
        if let node = fields["enabled"], let value = reader.bool(node, fields.what("enabled")) { motion.enabled = value }
        if let node = fields["threshold"], let value = ranged(node, fields.what("threshold"), 1...255) { motion.settings.pixelThreshold = value }
        if let node = fields["automatic-noise"], let value = reader.bool(node, fields.what("automatic-noise")) {
            motion.settings.automaticNoise = value
        }
        if let node = fields["changed-fraction"], let value = fraction(node, fields.what("changed-fraction")) {
            motion.settings.minimumChangedFraction = value
        }
        if let node = fields["adaptation"], let value = fraction(node, fields.what("adaptation")) {
            motion.settings.adaptationRate = value
            motion.settings.motionAdaptationRate = min(motion.settings.motionAdaptationRate, value)
        }
        if let node = fields["minimum-frames"], let value = ranged(node, fields.what("minimum-frames"), 1...1000) {
            motion.settings.minimumMotionFrames = value
        }
        if let node = fields["mask"], let items = reader.list(node, fields.what("mask")) {
            for item in items {
                guard let numbers = reader.list(item, "each region of 'mask'") else { continue }
                let values = numbers.compactMap { reader.integer($0, "each number of a 'mask' region") }
                guard values.count == 4, let region = PixelRectangle(checkedX: values[0], y: values[1], width: values[2], height: values[3]) else {
                    reader.report(
                        "each region of 'mask' must be [x, y, width, height] in pixels, width and height above zero, "
                            + "within \(PixelRectangle.maximumCoordinate)x\(PixelRectangle.maximumCoordinate)", at: item)
                    continue
                }
                motion.settings.masks.append(region)
            }
        }
        return motion
    }

    private mutating func hooks(_ node: Node) -> NodeConfiguration.Hooks {
        var hooks = NodeConfiguration.Hooks()
        let keys = HookKind.allCases.map(\.rawValue) + ["timeout"]
        guard let fields = reader.fields(of: node, subject: "'hooks'", context: "in hooks", allowed: keys) else { return hooks }
        for kind in HookKind.allCases {
            if let node = fields[kind.rawValue], let command = reader.text(node, fields.what(kind.rawValue)) {
                if command.trimmingCharacters(in: .whitespaces).isEmpty {
                    reader.report("\(fields.what(kind.rawValue)) must be a command line, not empty", at: node)
                } else {
                    hooks.commands[kind] = command
                }
            }
        }
        if let node = fields["timeout"], let timeout = positiveDuration(node, fields.what("timeout")) { hooks.timeout = timeout }
        return hooks
    }

    private mutating func outputs(_ node: Node) -> NodeConfiguration.Outputs {
        var outputs = NodeConfiguration.Outputs()
        let keys = ["status-led", "ir", "ir-on-below", "ir-off-above", "ir-schedule"]
        guard let fields = reader.fields(of: node, subject: "'outputs'", context: "in outputs", allowed: keys) else { return outputs }
        if let node = fields["status-led"], let value = reader.bool(node, fields.what("status-led")) { outputs.statusLED = value }
        if let node = fields["ir"] {
            // YAML reads a bare on/off as text in the 1.2 core schema Yams uses.
            if let mode = reader.choice(node, NodeConfiguration.IRMode.self, noun: "IR mode", context: "in outputs") { outputs.ir = mode }
        }
        if let node = fields["ir-on-below"], let value = ranged(node, fields.what("ir-on-below"), 0...255) { outputs.irOnBelow = Double(value) }
        if let node = fields["ir-off-above"], let value = ranged(node, fields.what("ir-off-above"), 0...255) { outputs.irOffAbove = Double(value) }
        if outputs.irOffAbove < outputs.irOnBelow, let node = fields["ir-off-above"] ?? fields["ir-on-below"] {
            reader.report("'ir-off-above' (\(Int(outputs.irOffAbove))) must be at least 'ir-on-below' (\(Int(outputs.irOnBelow)))", at: node)
        }
        if let node = fields["ir-schedule"], let text = reader.text(node, fields.what("ir-schedule")) {
            let parts = text.split(separator: "-").map { minutes(String($0)) }
            if parts.count == 2, let from = parts[0], let to = parts[1], from != to {
                (outputs.irFrom, outputs.irTo) = (from, to)
            } else {
                reader.report("\(fields.what("ir-schedule")) must be HH:MM-HH:MM (local time, such as 19:00-07:00), not '\(text)'", at: node)
            }
        }
        return outputs
    }

    // MARK: Values

    private mutating func positiveDuration(_ node: Node, _ what: String) -> Duration? {
        guard let value = reader.duration(node, what) else { return nil }
        guard value > .zero else {
            reader.report("\(what) must be more than zero", at: node)
            return nil
        }
        return value
    }

    private mutating func ranged(_ node: Node, _ what: String, _ range: ClosedRange<Int>) -> Int? {
        guard let value = reader.integer(node, what) else { return nil }
        guard range.contains(value) else {
            reader.report("\(what) must be from \(range.lowerBound) to \(range.upperBound), not \(value)", at: node)
            return nil
        }
        return value
    }

    private mutating func fraction(_ node: Node, _ what: String) -> Double? {
        guard let value = reader.number(node, what) else { return nil }
        guard value > 0 && value <= 1 else {
            reader.report("\(what) must be above 0 and at most 1, not \(value)", at: node)
            return nil
        }
        return value
    }

    /// A baud some serial camera family takes; the camera plan checks it against the model.
    private mutating func baud(_ node: Node, _ what: String) -> Int? {
        let bauds = Set(VC0706.supportedBauds + OV528.searchBauds).sorted()
        guard let value = reader.integer(node, what) else { return nil }
        guard bauds.contains(value) else {
            reader.report("\(what) must be one of \(bauds.map(String.init).joined(separator: ", ")), not \(value)", at: node)
            return nil
        }
        return value
    }

    /// A byte count: `500MB`, `20GB`, `1.5GiB`, `4096` (bytes).
    private mutating func bytes(_ node: Node, _ what: String) -> Int64? {
        guard case .scalar(let scalar) = node else {
            reader.report("\(what) must be a size such as 500MB or 20GB, not \(NodeReader.describe(node))", at: node)
            return nil
        }
        guard let bytes = ByteCount.parse(scalar.string) else {
            reader.report("\(what) \(ByteCount.problem(scalar.string)), not '\(scalar.string)'", at: node)
            return nil
        }
        return bytes
    }

    private func minutes(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes) else {
            return nil
        }
        return hours * 60 + minutes
    }
}
