import HAL
import Yams

/// Checks a board file's node tree against the board file format and builds the
/// ``BoardDescription`` it describes, collecting every problem it can find in one pass.
struct BoardParser {
    static let topLevelKeys = ["name", "description", "backend", "chips", "camera", "lines", "simulation"]
    static let requiredTopLevelKeys = ["name", "backend", "chips", "camera", "lines"]
    static let chipKeys = ["label", "lines", "names", "header"]
    static let cameraKeys = ["model", "device", "baud"]
    static let lineKeys = ["line", "chip", "active-low", "bias", "drive", "debounce"]
    static let simulationKeys = ["seed", "pir-period", "pir-hold"]

    private var reader: NodeReader

    /// Parses and validates `yaml`; `file` names it in diagnostics and must match the board's
    /// `name` when it ends in `.yaml`.
    static func parse(yaml: String, file: String) throws(BoardError) -> BoardDescription {
        let composed = ComposedYAML(yaml: yaml, file: file)
        guard composed.diagnostics.isEmpty else { throw BoardError(composed.diagnostics) }
        var parser = BoardParser(reader: NodeReader(file: file, renamedKeys: composed.renamedKeys))
        let board = parser.board(from: composed.root, file: file)
        if let root = composed.root { parser.reader.reportUnvisitedDuplicates(in: root) }
        let diagnostics = parser.reader.diagnostics.enumerated().sorted { lhs, rhs in
            (lhs.element.line ?? 0, lhs.element.column ?? 0, lhs.offset)
                < (rhs.element.line ?? 0, rhs.element.column ?? 0, rhs.offset)
        }.map(\.element)
        guard diagnostics.isEmpty else { throw BoardError(diagnostics) }
        guard let board else {
            throw BoardError(file: file, message: "internal error: the board was refused without a reason")
        }
        return board
    }

    // MARK: The board

    private mutating func board(from root: Node?, file: String) -> BoardDescription? {
        guard let root else {
            reader.report(
                "the board file is empty; it needs \(Self.requiredTopLevelKeys.joined(separator: ", "))",
                line: 1, column: 1)
            return nil
        }
        guard
            let top = reader.fields(
                of: root, subject: "the board file", context: "at the top level", allowed: Self.topLevelKeys,
                required: Self.requiredTopLevelKeys)
        else { return nil }
        let name = top["name"].flatMap { boardName($0, what: top.what("name"), file: file) }
        let description = top["description"].flatMap { reader.text($0, top.what("description")) } ?? ""
        let backend = top["backend"].flatMap { reader.choice($0, BoardBackend.self, noun: "backend") }
        let chips = top["chips"].flatMap { self.chips(from: $0) }
        let camera = top["camera"].flatMap { self.camera(from: $0, backend: backend) }
        let lines = top["lines"].flatMap { self.lines(from: $0, chips: chips) }
        let simulation = self.simulation(from: top, backend: backend)
        guard let name, let backend, let chips, let camera, let lines else { return nil }
        return BoardDescription(
            name: name, description: description, backend: backend, chips: chips, camera: camera, lines: lines,
            simulation: simulation)
    }

    private mutating func boardName(_ node: Node, what: String, file: String) -> String? {
        guard let name = reader.text(node, what) else { return nil }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
        guard !name.isEmpty, allowed else {
            reader.report("board name '\(name)' may contain only letters, digits, '-', '_' and '.'", at: node)
            return nil
        }
        let fileName = String(file.split(separator: "/").last ?? "")
        if fileName.hasSuffix(".yaml"), name + ".yaml" != fileName {
            reader.report(
                "board name '\(name)' does not match the file name '\(fileName)'; the name must be '\(fileName.dropLast(5))'",
                at: node)
            return nil
        }
        return name
    }

    // MARK: Chips

    private mutating func chips(from node: Node) -> [BoardChip]? {
        guard let items = reader.list(node, "'chips'") else { return nil }
        guard !items.isEmpty else {
            reader.report("'chips' must list at least one GPIO chip", at: node)
            return nil
        }
        let errorCount = reader.diagnostics.count
        var chips: [BoardChip] = []
        var labelNodes: [String: Node] = [:]
        for (index, item) in items.enumerated() {
            guard let (chip, labelNode) = chip(from: item, number: index + 1) else { continue }
            if let first = labelNodes[chip.label] {
                reader.report("chip '\(chip.label)' is listed twice (first at \(Self.position(of: first)))", at: labelNode)
            }
            labelNodes[chip.label] = labelNodes[chip.label] ?? labelNode
            chips.append(chip)
        }
        return reader.diagnostics.count == errorCount ? chips : nil
    }

    private mutating func chip(from node: Node, number: Int) -> (chip: BoardChip, labelNode: Node)? {
        let context = node.mapping?["label"]?.scalar.map { "in chip '\($0.string)'" } ?? "in chip \(number)"
        guard
            let fields = reader.fields(
                of: node, subject: "chip \(number) of 'chips'", context: context, allowed: Self.chipKeys,
                required: ["label", "lines"])
        else { return nil }
        let errorCount = reader.diagnostics.count
        let label = fields["label"].flatMap { reader.text($0, fields.what("label")) }
        if let label, let node = fields["label"], label.isEmpty || label.contains(":") {
            reader.report("chip label '\(label)' must not be empty or contain ':'", at: node)
        }
        let lineCount = fields["lines"].flatMap { reader.integer($0, fields.what("lines")) }
        if let lineCount, let node = fields["lines"], lineCount < 1 {
            reader.report("\(fields.what("lines")) must be at least 1, not \(lineCount)", at: node)
        } else if let lineCount, let node = fields["lines"], lineCount > BoardChip.maximumLineCount {
            reader.report(
                "\(fields.what("lines")) must be at most \(BoardChip.maximumLineCount) (a gpiochip has at most a few hundred lines), not \(lineCount)",
                at: node)
        }
        var names: [String] = []
        if let namesNode = fields["names"], let items = reader.list(namesNode, fields.what("names")) {
            names = items.map { item in
                item.tagName == .null ? "" : reader.text(item, "each of \(fields.what("names"))") ?? ""
            }
            if let lineCount, (1...BoardChip.maximumLineCount).contains(lineCount), names.count > lineCount {
                reader.report(
                    "\(fields.what("names")) lists \(names.count) names but the chip has only \(lineCount) lines",
                    at: namesNode)
            }
        }
        let header = fields["header"].flatMap { reader.choice($0, BoardChip.Header.self, noun: "header", context: context) }
        guard reader.diagnostics.count == errorCount, let label, let lineCount, let labelNode = fields["label"] else {
            return nil
        }
        return (BoardChip(label: label, lineCount: lineCount, names: names, header: header), labelNode)
    }

    // MARK: Camera

    private mutating func camera(from node: Node, backend: BoardBackend?) -> BoardCamera? {
        guard
            let fields = reader.fields(
                of: node, subject: "'camera'", context: "in camera", allowed: Self.cameraKeys,
                required: Self.cameraKeys)
        else { return nil }
        let errorCount = reader.diagnostics.count
        let model = fields["model"].flatMap { reader.choice($0, CameraModel.self, noun: "camera model") }
        let device = fields["device"].flatMap { reader.text($0, fields.what("device")) }
        if let device, let node = fields["device"] {
            checkCameraDevice(device, at: node, backend: backend)
        }
        let baud = fields["baud"].flatMap { reader.integer($0, fields.what("baud")) }
        if let baud, let node = fields["baud"] {
            do {
                try SerialConfiguration(baudRate: baud).validate()
            } catch {
                let rates = SerialConfiguration.standardBaudRates.map(String.init).joined(separator: ", ")
                reader.report("baud \(baud) is not supported; use one of \(rates)", at: node)
            }
        }
        guard reader.diagnostics.count == errorCount, let model, let device, let baud else { return nil }
        return BoardCamera(model: model, device: device, baud: baud)
    }

    private mutating func checkCameraDevice(_ device: String, at node: Node, backend: BoardBackend?) {
        let prefix = BoardCamera.simulatedDevicePrefix
        if device.hasPrefix(prefix) {
            if backend == .linux {
                reader.report(
                    "camera device '\(device)' is simulated, but this board's backend is linux; "
                        + "'\(prefix)' devices need 'backend: sim'", at: node)
            } else if device == prefix {
                reader.report("camera device '\(device)' names no simulated device (write \(prefix)NAME)", at: node)
            }
        } else if device.isEmpty || (backend == .linux && !device.hasPrefix("/")) {
            reader.report("camera device '\(device)' must be a device path such as /dev/serial0", at: node)
        }
    }

    // MARK: Lines

    private mutating func lines(from node: Node, chips: [BoardChip]?) -> [LogicalLine: LineAssignment]? {
        guard let entries = reader.entries(of: node, subject: "'lines'", context: "in lines") else { return nil }
        let errorCount = reader.diagnostics.count
        var assignments: [LogicalLine: LineAssignment] = [:]
        var declared: Set<LogicalLine> = []
        var users: [String: (role: LogicalLine, node: Node)] = [:]
        for entry in entries {
            guard let role = LogicalLine(rawValue: entry.name) else {
                let expected = LogicalLine.allCases.map(\.rawValue).joined(separator: ", ")
                reader.report("unknown logical line '\(entry.name)' (expected one of: \(expected))", at: entry.key)
                continue
            }
            declared.insert(role)
            if entry.value.scalar?.string == "none" { continue }
            guard let (assignment, lineNode) = assignment(for: role, from: entry.value, chips: chips) else { continue }
            let physical = "\(assignment.chipLabel):\(assignment.offset)"
            if let other = users[physical] {
                reader.report(
                    "line '\(role)' is on \(assignment.location), which line '\(other.role)' already uses "
                        + "(at \(Self.position(of: other.node)))", at: lineNode)
            } else {
                users[physical] = (role, lineNode)
            }
            assignments[role] = assignment
        }
        for role in LogicalLine.allCases where !declared.contains(role) {
            reader.report(
                "missing logical line '\(role)' in lines (write '\(role): none' if the board has no \(role.peripheral))",
                at: node)
        }
        return reader.diagnostics.count == errorCount ? assignments : nil
    }

    /// The assignment of one logical line and the node of its `line` key. With `chips` nil
    /// (they were invalid) the physical line is not resolved and the result is nil.
    private mutating func assignment(
        for role: LogicalLine, from node: Node, chips: [BoardChip]?
    ) -> (assignment: LineAssignment, lineNode: Node)? {
        if case .scalar = node {
            reader.report(
                "line '\(role)' must be a mapping such as { line: GPIO17 }, or 'none' if the board has no "
                    + "\(role.peripheral); not \(NodeReader.describe(node))", at: node)
            return nil
        }
        let context = "in line '\(role)'"
        guard
            let fields = reader.fields(
                of: node, subject: "line '\(role)'", context: context, allowed: Self.lineKeys, required: ["line"])
        else { return nil }
        let errorCount = reader.diagnostics.count
        let activeLow = fields["active-low"].flatMap { reader.bool($0, fields.what("active-low")) } ?? false
        let bias = fields["bias"].flatMap { reader.choice($0, LineBias.self, noun: "bias", context: context) } ?? .asIs
        let drive = fields["drive"].flatMap { reader.choice($0, LineDrive.self, noun: "drive", context: context) } ?? .pushPull
        var debounce = fields["debounce"].flatMap { reader.duration($0, fields.what("debounce")) }
        if let period = debounce, let node = fields["debounce"], period > LineAssignment.longestDebounce {
            reader.report(
                "\(fields.what("debounce")) must be at most \(LineAssignment.longestDebounce.humanReadable) (longer would swallow real events), not \(period.humanReadable)",
                at: node)
            debounce = nil
        }
        if role.direction == .input, let key = fields.key("drive") {
            reader.report("'drive' applies only to outputs, and line '\(role)' is an input", at: key)
        }
        if role.direction == .output, let key = fields.key("debounce") {
            reader.report("'debounce' applies only to inputs, and line '\(role)' is an output", at: key)
        }
        let chipLabel = fields["chip"].flatMap { reader.text($0, fields.what("chip")) }
        guard let chips, let lineNode = fields["line"] else { return nil }
        var namedChip: BoardChip?
        if let chipLabel, let chipNode = fields["chip"] {
            namedChip = chips.first { $0.label == chipLabel }
            if namedChip == nil { reportUnknownChip(chipLabel, at: chipNode, chips: chips) }
        }
        let physical = reader.diagnostics.count == errorCount
            ? physicalLine(lineNode, chip: namedChip, chips: chips, what: fields.what("line")) : nil
        guard reader.diagnostics.count == errorCount, let (chip, offset) = physical else { return nil }
        let assignment = LineAssignment(
            role: role, chipLabel: chip.label, offset: offset, lineName: chip.name(at: offset), activeLow: activeLow,
            bias: bias, drive: drive, debounce: debounce)
        return (assignment, lineNode)
    }

    /// The chip and offset a `line` value names: an offset (on `named`, else the first chip),
    /// `CHIPLABEL:OFFSET`, or a line name (on `named`, else the first chip that has it).
    private mutating func physicalLine(
        _ node: Node, chip named: BoardChip?, chips: [BoardChip], what: String
    ) -> (chip: BoardChip, offset: Int)? {
        guard case .scalar(let scalar) = node, node.tagName != .null, let firstChip = chips.first else {
            reader.report("\(what) must be a line name, CHIP:OFFSET or an offset, not \(NodeReader.describe(node))", at: node)
            return nil
        }
        let text = scalar.string
        if node.tagName == .int {
            return checkedOffset(node.int ?? -1, on: named ?? firstChip, at: node)
        }
        if let colon = text.lastIndex(of: ":"), let offset = BoardChip.decimal(text[text.index(after: colon)...]) {
            let label = String(text[..<colon])
            guard let chip = chips.first(where: { $0.label == label }) else {
                reportUnknownChip(label, at: node, chips: chips)
                return nil
            }
            if let named, named.label != label {
                reader.report("\(what) is on chip '\(label)', but 'chip' says '\(named.label)'", at: node)
                return nil
            }
            return checkedOffset(offset, on: chip, at: node)
        }
        if let offset = BoardChip.decimal(text[...]) {
            return checkedOffset(offset, on: named ?? firstChip, at: node)
        }
        let candidates = named.map { [$0] } ?? chips
        for chip in candidates {
            let offsets = chip.offsets(ofLineNamed: text)
            if offsets.count == 1 { return (chip, offsets[0]) }
            if offsets.count > 1 {
                reader.report(
                    "line name '\(text)' is ambiguous on chip '\(chip.label)' (offsets "
                        + offsets.map(String.init).joined(separator: ", ") + "); write \(chip.label):OFFSET", at: node)
                return nil
            }
        }
        if candidates.count == 1 {
            reader.report(
                "line '\(text)' is not on chip '\(candidates[0].label)' (lines: \(candidates[0].lineNamesSummary))",
                at: node)
        } else {
            reader.report(
                "line '\(text)' is not on any of the board's chips ("
                    + chips.map { "'\($0.label)'" }.joined(separator: ", ") + "); write CHIP:OFFSET or add 'chip'",
                at: node)
        }
        return nil
    }

    private mutating func checkedOffset(_ offset: Int, on chip: BoardChip, at node: Node) -> (chip: BoardChip, offset: Int)? {
        guard (0..<chip.lineCount).contains(offset) else {
            reader.report(
                "offset \(offset) is out of range for chip '\(chip.label)', which has lines 0..\(chip.lineCount - 1)",
                at: node)
            return nil
        }
        return (chip, offset)
    }

    private mutating func reportUnknownChip(_ label: String, at node: Node, chips: [BoardChip]) {
        reader.report(
            "unknown chip '\(label)' (the board's chips: " + chips.map(\.label).joined(separator: ", ") + ")", at: node)
    }

    // MARK: Simulation

    /// The simulation settings: defaults on a `sim` board without the section, nil on a
    /// `linux` board (where the section is an error).
    private mutating func simulation(from top: NodeReader.Fields, backend: BoardBackend?) -> BoardSimulation? {
        guard let node = top["simulation"] else { return backend == .sim ? BoardSimulation() : nil }
        guard backend != .linux else {
            reader.report(
                "'simulation' is only allowed on boards with 'backend: sim'; this board's backend is linux",
                at: top.key("simulation") ?? node)
            return nil
        }
        guard
            let fields = reader.fields(
                of: node, subject: "'simulation'", context: "in simulation", allowed: Self.simulationKeys)
        else { return nil }
        var simulation = BoardSimulation()
        if let node = fields["seed"], let seed = reader.integer(node, fields.what("seed")) {
            if seed < 0 {
                reader.report("\(fields.what("seed")) must be 0 or more, not \(seed)", at: node)
            } else {
                simulation.seed = UInt64(seed)
            }
        }
        for (key, path) in [("pir-period", \BoardSimulation.pirPeriod), ("pir-hold", \.pirHold)] {
            guard let node = fields[key], let duration = reader.duration(node, fields.what(key)) else { continue }
            if duration <= .zero {
                reader.report("\(fields.what(key)) must be longer than zero", at: node)
            } else {
                simulation[keyPath: path] = duration
            }
        }
        if simulation.pirHold >= simulation.pirPeriod, let node = fields["pir-hold"] ?? fields["pir-period"] {
            reader.report(
                "'pir-hold' (\(simulation.pirHold.humanReadable)) must be shorter than 'pir-period' "
                    + "(\(simulation.pirPeriod.humanReadable)) in simulation", at: node)
        }
        return simulation
    }

    // MARK: Helpers

    private static func position(of node: Node) -> String {
        node.mark.map { "\($0.line):\($0.column)" } ?? "?"
    }
}
