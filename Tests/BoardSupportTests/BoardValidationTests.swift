import BoardSupport
import Testing

/// A broken board file and the one diagnostic it must produce.
struct BrokenBoard: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var message: String
    var line: Int
    var column: Int
    var testDescription: String { name }
}

let bcmRates = "1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600"
let lineKeys = "line, chip, active-low, bias, drive, debounce"
let logicalLines = "pir, status-led, ir-led, tamper, camera-power"

let brokenBoards: [BrokenBoard] = [
    BrokenBoard(
        name: "YAML syntax error",
        yaml: board(replacing: "description: A board", with: "description: A: board"),
        message: "YAML syntax error: mapping values are not allowed in this context", line: 2, column: 15),
    BrokenBoard(
        name: "YAML syntax error: unclosed flow sequence",
        yaml: board(replacing: "line: GPIO27 }", with: "line: [GPIO27 }"),
        message: "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 17:23)",
        line: 17, column: 31),
    BrokenBoard(
        name: "top level is a list",
        yaml: "- name: bad\n- backend: linux\n",
        message: "the board file must be a mapping of keys to values, not a list", line: 1, column: 1),
    BrokenBoard(
        name: "top level is a scalar",
        yaml: "just some text\n",
        message: "the board file must be a mapping of keys to values, not 'just some text'", line: 1, column: 1),
    BrokenBoard(
        name: "empty file",
        yaml: "# nothing here\n",
        message: "the board file is empty; it needs name, backend, chips, camera, lines", line: 1, column: 1),
    BrokenBoard(
        name: "unknown key in a line",
        yaml: board(replacing: "    bias: pull-up", with: "    biass: pull-up"),
        message: "unknown key 'biass' in line 'tamper' (expected one of: \(lineKeys))", line: 22, column: 5),
    BrokenBoard(
        name: "unknown key at the top level",
        yaml: validBoard + "colour: red\n",
        message: "unknown key 'colour' at the top level (expected one of: name, description, backend, chips, camera, lines, simulation)",
        line: 25, column: 1),
    BrokenBoard(
        name: "unknown key in the camera",
        yaml: board(replacing: "  baud: 38400", with: "  baud: 38400\n  flow: none"),
        message: "unknown key 'flow' in camera (expected one of: model, device, baud)", line: 13, column: 3),
    BrokenBoard(
        name: "unknown key in a chip",
        yaml: board(replacing: "    header: bcm", with: "    header: bcm\n    path: /dev/gpiochip0"),
        message: "unknown key 'path' in chip 'pinctrl-bcm2711' (expected one of: label, lines, names, header)",
        line: 8, column: 5),
    BrokenBoard(
        name: "missing required top-level key",
        yaml: board(replacing: "backend: linux\n", with: ""),
        message: "missing required key 'backend' at the top level", line: 1, column: 1),
    BrokenBoard(
        name: "missing required camera key",
        yaml: board(replacing: "  device: /dev/serial0\n", with: ""),
        message: "missing required key 'device' in camera", line: 10, column: 3),
    BrokenBoard(
        name: "missing 'line' in a line",
        yaml: board(replacing: "{ line: GPIO22 }", with: "{ bias: pull-up }"),
        message: "missing required key 'line' in line 'ir-led'", line: 18, column: 11),
    BrokenBoard(
        name: "missing logical line",
        yaml: board(replacing: "  camera-power: { line: GPIO24 }\n", with: ""),
        message: "missing logical line 'camera-power' in lines (write 'camera-power: none' if the board has no camera power switch)",
        line: 14, column: 3),
    BrokenBoard(
        name: "unknown logical line",
        yaml: validBoard + "  buzzer: { line: GPIO5 }\n",
        message: "unknown logical line 'buzzer' (expected one of: \(logicalLines))", line: 25, column: 3),
    BrokenBoard(
        name: "a line that is neither a mapping nor none",
        yaml: board(replacing: "{ line: GPIO22 }", with: "GPIO22"),
        message: "line 'ir-led' must be a mapping such as { line: GPIO17 }, or 'none' if the board has no IR illuminator; not 'GPIO22'",
        line: 18, column: 11),
    BrokenBoard(
        name: "duplicate key in a block mapping",
        yaml: board(replacing: "    bias: pull-up", with: "    bias: pull-up\n    bias: pull-down"),
        message: "duplicate key 'bias' in line 'tamper' (first at 22:5)", line: 23, column: 5),
    BrokenBoard(
        name: "duplicate key in a flow mapping",
        yaml: board(replacing: "{ line: GPIO22 }", with: "{ line: GPIO22, line: GPIO5 }"),
        message: "duplicate key 'line' in line 'ir-led' (first at 18:13)", line: 18, column: 27),
    BrokenBoard(
        name: "duplicate top-level key",
        yaml: validBoard + "name: bad\n",
        message: "duplicate key 'name' at the top level (first at 1:1)", line: 25, column: 1),
    BrokenBoard(
        name: "duplicate logical line",
        yaml: validBoard + "  pir: { line: GPIO5 }\n",
        message: "duplicate key 'pir' in lines (first at 14:3)", line: 25, column: 3),
    BrokenBoard(
        name: "two logical lines on one physical line",
        yaml: board(replacing: "{ line: GPIO22 }", with: "{ line: GPIO27 }"),
        message: "line 'ir-led' is on pinctrl-bcm2711:27 (GPIO27), which line 'status-led' already uses (at 17:23)",
        line: 18, column: 19),
    BrokenBoard(
        name: "two logical lines on one physical line by different names",
        yaml: board(replacing: "{ line: GPIO22 }", with: "{ line: \"pinctrl-bcm2711:27\" }"),
        message: "line 'ir-led' is on pinctrl-bcm2711:27 (GPIO27), which line 'status-led' already uses (at 17:23)",
        line: 18, column: 19),
    BrokenBoard(
        name: "line name not on the chip",
        yaml: board(replacing: "line: GPIO17", with: "line: GPIO99"),
        message: "line 'GPIO99' is not on chip 'pinctrl-bcm2711' (lines: GPIO0..GPIO57, ID_SDA, ID_SCL, SDA1, SCL1, "
            + "GPIO_GCLK, SPI_CE1_N, SPI_CE0_N, SPI_MISO, SPI_MOSI, SPI_SCLK, TXD1, RXD1, or an offset 0..57)",
        line: 15, column: 11),
    BrokenBoard(
        name: "offset out of range",
        yaml: board(replacing: "line: GPIO17", with: "line: 58"),
        message: "offset 58 is out of range for chip 'pinctrl-bcm2711', which has lines 0..57", line: 15, column: 11),
    BrokenBoard(
        name: "CHIP:OFFSET out of range",
        yaml: board(replacing: "line: GPIO17", with: "line: pinctrl-bcm2711:60"),
        message: "offset 60 is out of range for chip 'pinctrl-bcm2711', which has lines 0..57", line: 15, column: 11),
    BrokenBoard(
        name: "negative offset",
        yaml: board(replacing: "line: GPIO17", with: "line: -1"),
        message: "offset -1 is out of range for chip 'pinctrl-bcm2711', which has lines 0..57", line: 15, column: 11),
    BrokenBoard(
        name: "unknown chip label in CHIP:OFFSET",
        yaml: board(replacing: "line: GPIO17", with: "line: pinctrl-bcm2835:17"),
        message: "unknown chip 'pinctrl-bcm2835' (the board's chips: pinctrl-bcm2711)", line: 15, column: 11),
    BrokenBoard(
        name: "unknown chip label in 'chip'",
        yaml: board(replacing: "{ line: GPIO22 }", with: "{ line: GPIO22, chip: gpiochip0 }"),
        message: "unknown chip 'gpiochip0' (the board's chips: pinctrl-bcm2711)", line: 18, column: 33),
    BrokenBoard(
        name: "bad baud",
        yaml: board(replacing: "baud: 38400", with: "baud: 12345"),
        message: "baud 12345 is not supported; use one of \(bcmRates)", line: 12, column: 9),
    BrokenBoard(
        name: "unknown camera model",
        yaml: board(replacing: "model: vc0706", with: "model: ov7670"),
        message: "unknown camera model 'ov7670' (expected one of: vc0706, ov528, ucam3)", line: 10, column: 10),
    BrokenBoard(
        name: "unknown backend",
        yaml: board(replacing: "backend: linux", with: "backend: windows"),
        message: "unknown backend 'windows' (expected one of: linux, sim)", line: 3, column: 10),
    BrokenBoard(
        name: "unknown bias",
        yaml: board(replacing: "bias: pull-up", with: "bias: pullup"),
        message: "unknown bias 'pullup' in line 'tamper' (expected one of: as-is, disabled, pull-up, pull-down)",
        line: 22, column: 11),
    BrokenBoard(
        name: "a string where a bool is needed",
        yaml: board(replacing: "active-low: true", with: "active-low: sometimes"),
        message: "'active-low' in line 'tamper' must be true or false, not 'sometimes'", line: 21, column: 17),
    BrokenBoard(
        name: "a quoted string where a bool is needed",
        yaml: board(replacing: "active-low: true", with: "active-low: \"true\""),
        message: "'active-low' in line 'tamper' must be true or false, not the string 'true'", line: 21, column: 17),
    BrokenBoard(
        name: "a string where a number is needed",
        yaml: board(replacing: "lines: 58", with: "lines: many"),
        message: "'lines' in chip 'pinctrl-bcm2711' must be a whole number, not 'many'", line: 6, column: 12),
    BrokenBoard(
        name: "a list where text is needed",
        yaml: board(replacing: "device: /dev/serial0", with: "device: [/dev/serial0]"),
        message: "'device' in camera must be text, not a list", line: 11, column: 11),
    BrokenBoard(
        name: "bad duration",
        yaml: board(replacing: "debounce: 20ms", with: "debounce: 20 parsecs"),
        message: "'debounce' in line 'tamper' must be a duration such as 20ms, 90s, 5m or 1h, not '20 parsecs'",
        line: 23, column: 15),
    BrokenBoard(
        name: "debounce on an output",
        yaml: board(replacing: "{ line: GPIO22 }", with: "{ line: GPIO22, debounce: 5ms }"),
        message: "'debounce' applies only to inputs, and line 'ir-led' is an output", line: 18, column: 27),
    BrokenBoard(
        name: "drive on an input",
        yaml: board(replacing: "    bias: pull-down", with: "    drive: open-drain"),
        message: "'drive' applies only to outputs, and line 'pir' is an input", line: 16, column: 5),
    BrokenBoard(
        name: "sim: device on a linux board",
        yaml: board(replacing: "device: /dev/serial0", with: "device: sim:camera0"),
        message: "camera device 'sim:camera0' is simulated, but this board's backend is linux; 'sim:' devices need 'backend: sim'",
        line: 11, column: 11),
    BrokenBoard(
        name: "relative camera device",
        yaml: board(replacing: "device: /dev/serial0", with: "device: ttyS4"),
        message: "camera device 'ttyS4' must be a device path such as /dev/serial0", line: 11, column: 11),
    BrokenBoard(
        name: "simulation on a linux board",
        yaml: validBoard + "simulation: { seed: 1 }\n",
        message: "'simulation' is only allowed on boards with 'backend: sim'; this board's backend is linux",
        line: 25, column: 1),
    BrokenBoard(
        name: "name that does not match the file",
        yaml: board(replacing: "name: bad", with: "name: raspberry-pi-4b"),
        message: "board name 'raspberry-pi-4b' does not match the file name 'bad.yaml'; the name must be 'bad'",
        line: 1, column: 7),
    BrokenBoard(
        name: "a chip without lines",
        yaml: board(replacing: "lines: 58", with: "lines: 0"),
        message: "'lines' in chip 'pinctrl-bcm2711' must be at least 1, not 0", line: 6, column: 12),
    BrokenBoard(
        name: "no chips",
        yaml: board(replacing: "  - label: pinctrl-bcm2711\n", with: "  []\n  # - label: pinctrl-bcm2711\n")
            .replacingOccurrences(of: "\n    lines: 58\n    header: bcm\n    names:", with: "\n  #  names:"),
        message: "'chips' must list at least one GPIO chip", line: 5, column: 3),
    BrokenBoard(
        name: "a chip listed twice",
        yaml: board(replacing: "camera:\n", with: "  - { label: pinctrl-bcm2711, lines: 4 }\ncamera:\n"),
        message: "chip 'pinctrl-bcm2711' is listed twice (first at 5:12)", line: 9, column: 14),
    BrokenBoard(
        name: "more names than lines",
        yaml: board(replacing: "lines: 58", with: "lines: 20"),
        message: "'names' in chip 'pinctrl-bcm2711' lists 28 names but the chip has only 20 lines", line: 8, column: 12),
    BrokenBoard(
        name: "chip label with a colon",
        yaml: board(replacing: "label: pinctrl-bcm2711", with: "label: \"chip:0\""),
        message: "chip label 'chip:0' must not be empty or contain ':'", line: 5, column: 12),
]

/// The sim board's text with a `simulation:` section of `settings`.
func simBoard(simulation settings: String) -> String {
    board(replacing: "backend: linux", with: "backend: sim") + "simulation: \(settings)\n"
}

let brokenSimBoards: [BrokenBoard] = [
    BrokenBoard(
        name: "negative seed",
        yaml: simBoard(simulation: "{ seed: -3 }"),
        message: "'seed' in simulation must be 0 or more, not -3", line: 25, column: 21),
    BrokenBoard(
        name: "zero PIR period",
        yaml: simBoard(simulation: "{ pir-period: 0s }"),
        message: "'pir-period' in simulation must be longer than zero", line: 25, column: 27),
    BrokenBoard(
        name: "PIR hold not shorter than the period",
        yaml: simBoard(simulation: "{ pir-period: 10s, pir-hold: 10s }"),
        message: "'pir-hold' (10s) must be shorter than 'pir-period' (10s) in simulation", line: 25, column: 42),
    BrokenBoard(
        name: "unknown simulation key",
        yaml: simBoard(simulation: "{ speed: 2 }"),
        message: "unknown key 'speed' in simulation (expected one of: seed, pir-period, pir-hold)", line: 25, column: 15),
    BrokenBoard(
        name: "sim: device naming nothing",
        yaml: board(replacing: "device: /dev/serial0", with: "device: \"sim:\"", in: simBoard(simulation: "{}")),
        message: "camera device 'sim:' names no simulated device (write sim:NAME)", line: 11, column: 11),
]

@Suite("Board file validation")
struct BoardValidationTests {
    @Test("The valid template loads")
    func template() throws {
        let board = try BoardLoader.parse(yaml: validBoard, file: "Boards/bad.yaml")
        #expect(board.name == "bad")
        #expect(board.simulation == nil)
        #expect(try BoardLoader.parse(yaml: simBoard(simulation: "{}"), file: "bad.yaml").simulation == BoardSimulation())
    }

    @Test("Each broken board gives its own message at the right line and column", arguments: brokenBoards + brokenSimBoards)
    func broken(_ broken: BrokenBoard) {
        let found = diagnostics(of: broken.yaml)
        #expect(
            found == [BoardDiagnostic(file: "Boards/bad.yaml", line: broken.line, column: broken.column, message: broken.message)])
    }

    @Test("Several problems are reported together, in file order")
    func several() {
        var yaml = board(replacing: "    bias: pull-up", with: "    biass: pull-up")
        yaml = board(replacing: "baud: 38400", with: "baud: 12345", in: yaml)
        yaml = board(replacing: "model: vc0706", with: "model: ov7670", in: yaml)
        yaml = board(replacing: "line: GPIO24", with: "line: GPIO17", in: yaml)
        let found = diagnostics(of: yaml)
        #expect(found.map { "\($0.line ?? 0):\($0.column ?? 0)" } == ["10:10", "12:9", "22:5", "24:25"])
        let error = BoardError(found)
        #expect(error.description.split(separator: "\n").count == 4)
        #expect(error.description.hasPrefix("Boards/bad.yaml:10:10: unknown camera model 'ov7670'"))
    }

    @Test("A duplicate key in a value nobody validates is still reported")
    func unvisitedDuplicate() {
        let found = diagnostics(of: validBoard + "extra: { a: 1, a: 2 }\n")
        #expect(found.map(\.message) == [
            "unknown key 'extra' at the top level (expected one of: name, description, backend, chips, camera, lines, simulation)",
            "duplicate key 'a' in this mapping (first at 25:10)",
        ])
    }

    @Test("A key repeated three times is reported twice")
    func tripleDuplicate() {
        let found = diagnostics(of: board(replacing: "  baud: 38400", with: "  baud: 38400\n  baud: 9600\n  baud: 115200"))
        #expect(found.map(\.message) == ["duplicate key 'baud' in camera (first at 12:3)", "duplicate key 'baud' in camera (first at 12:3)"])
        #expect(found.map(\.line) == [13, 14])
    }

    @Test("A board file not named .yaml need not match the name")
    func otherFileName() throws {
        #expect(try BoardLoader.parse(yaml: validBoard, file: "<stdin>").name == "bad")
    }

    @Test("A peripheral the board lacks is written 'none'")
    func none() throws {
        let board = try BoardLoader.parse(
            yaml: board(replacing: "  tamper:\n    line: GPIO23\n    active-low: true\n    bias: pull-up\n    debounce: 20ms\n", with: "  tamper: none\n"),
            file: "bad.yaml")
        #expect(board.lines[.tamper] == nil)
        #expect(board.lines.count == 4)
    }

    @Test("Diagnostics print as file:line:column: message")
    func format() {
        #expect(BoardDiagnostic(file: "a.yaml", line: 3, column: 5, message: "m").description == "a.yaml:3:5: m")
        #expect(BoardDiagnostic(file: "a.yaml", message: "m").description == "a.yaml: m")
        #expect(BoardDiagnostic(file: nil, message: "m").description == "m")
    }
}

@Suite("Board file text edge cases")
struct BoardTextTests {
    @Test("Windows line endings work, duplicates included")
    func crlf() throws {
        let crlf = validBoard.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try BoardLoader.parse(yaml: crlf, file: "bad.yaml").name == "bad")
        let duplicated = board(replacing: "  baud: 38400", with: "  baud: 38400\n  baud: 9600").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(diagnostics(of: duplicated).map(\.description) == ["Boards/bad.yaml:13:3: duplicate key 'baud' in camera (first at 12:3)"])
    }

    @Test("Control characters are a reader error at their position")
    func controlCharacter() {
        let found = diagnostics(of: board(replacing: "A board the tests break", with: "A board \u{1} break"))
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("the board file is not readable text: control characters are not allowed") == true)
        #expect(found.first?.line == 2)
        #expect(found.first?.column == 22)
    }

    @Test("Tab indentation is a syntax error")
    func tabs() {
        let found = diagnostics(of: board(replacing: "  model: vc0706", with: "\tmodel: vc0706"))
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("YAML syntax error: ") == true)
        #expect(found.first?.line == 10)
    }
}
