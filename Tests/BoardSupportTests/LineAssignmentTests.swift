import BoardSupport
import HAL
import Testing

@Suite("Line assignments")
struct LineAssignmentTests {
    /// The Pi 4 board with the pir line written as `spec`.
    func pi4(pir spec: String) throws -> LineAssignment {
        let yaml = board(replacing: "line: GPIO17", with: "line: \(spec)")
        return try #require(try BoardLoader.parse(yaml: yaml, file: "bad.yaml").lines[.pir])
    }

    @Test("GPIO14 on the Pi 4 is offset 14, which the kernel calls TXD1")
    func headerAlias() throws {
        let pir = try pi4(pir: "GPIO14")
        #expect(pir.chipLabel == "pinctrl-bcm2711")
        #expect(pir.offset == 14)
        #expect(pir.lineName == "TXD1")
        #expect(pir.location == "pinctrl-bcm2711:14 (TXD1)")
    }

    @Test("Kernel names win over the header alias and work on their own")
    func kernelName() throws {
        #expect(try pi4(pir: "TXD1").offset == 14)
        #expect(try pi4(pir: "GPIO_GCLK").offset == 4)
        #expect(try pi4(pir: "GPIO4").offset == 4)
        #expect(try pi4(pir: "GPIO40").lineName == nil)
    }

    @Test("CHIPLABEL:OFFSET, bare offsets and quoted offsets")
    func offsets() throws {
        #expect(try pi4(pir: "pinctrl-bcm2711:17") == pi4(pir: "GPIO17"))
        #expect(try pi4(pir: "17") == pi4(pir: "GPIO17"))
        #expect(try pi4(pir: "\"17\"").offset == 17)
        // The template names only offsets 0..27.
        #expect(try pi4(pir: "pinctrl-bcm2711:30").lineName == nil)
        #expect(try deliveredBoard("raspberry-pi-4b").chips[0].offsets(ofLineNamed: "CTS0") == [30])
    }

    @Test("Without 'header: bcm', GPIO<n> is only a kernel name")
    func noHeader() {
        let yaml = board(replacing: "    header: bcm\n", with: "").replacingOccurrences(of: "line: GPIO17", with: "line: GPIO14")
        #expect(diagnostics(of: yaml).map(\.message) == [
            "line 'GPIO14' is not on chip 'pinctrl-bcm2711' (lines: ID_SDA, ID_SCL, SDA1, SCL1, GPIO_GCLK, GPIO5, GPIO6, "
                + "SPI_CE1_N, SPI_CE0_N, SPI_MISO, SPI_MOSI, SPI_SCLK, GPIO12, GPIO13, TXD1, RXD1, GPIO16, GPIO17, GPIO18, "
                + "GPIO19, GPIO20, GPIO21, GPIO22, GPIO23, GPIO24, GPIO25, GPIO26, GPIO27, or an offset 0..57)"
        ])
    }

    @Test("On a board with several chips, a name is looked up on every chip and 'chip' picks one")
    func severalChips() throws {
        let yaml = """
            name: two
            backend: linux
            chips:
              - { label: main, lines: 8, names: [A, B, C] }
              - { label: expander, lines: 4, names: [LED, PIR, C] }
            camera: { model: ucam3, device: /dev/ttyUSB0, baud: 115200 }
            lines:
              pir: { line: PIR }
              status-led: { line: LED, drive: open-drain, active-low: true }
              ir-led: { line: C }
              tamper: { line: C, chip: expander }
              camera-power: { line: 3, chip: expander }

            """
        let board = try BoardLoader.parse(yaml: yaml, file: "two.yaml")
        #expect(board.lines[.pir]?.location == "expander:1 (PIR)")
        #expect(board.lines[.irLED]?.location == "main:2 (C)")
        #expect(board.lines[.tamper]?.location == "expander:2 (C)")
        #expect(board.lines[.cameraPower]?.location == "expander:3")
        #expect(board.camera.model == .ucam3)

        let unknown = yaml.replacingOccurrences(of: "line: PIR", with: "line: MOTION")
        #expect(diagnostics(of: unknown, file: "two.yaml").map(\.message) == [
            "line 'MOTION' is not on any of the board's chips ('main', 'expander'); write CHIP:OFFSET or add 'chip'"
        ])
        let conflicting = yaml.replacingOccurrences(of: "{ line: C, chip: expander }", with: "{ line: \"main:5\", chip: expander }")
        #expect(diagnostics(of: conflicting, file: "two.yaml").map(\.message) == [
            "'line' in line 'tamper' is on chip 'main', but 'chip' says 'expander'"
        ])
    }

    @Test("An ambiguous kernel name is refused")
    func ambiguous() {
        let yaml = board(replacing: "GPIO26, GPIO27]", with: "GPIO26, GPIO27, NC, NC]")
            .replacingOccurrences(of: "line: GPIO17", with: "line: NC")
        #expect(diagnostics(of: yaml).map(\.message) == [
            "line name 'NC' is ambiguous on chip 'pinctrl-bcm2711' (offsets 28, 29); write pinctrl-bcm2711:OFFSET"
        ])
    }

    @Test("Settings for each logical role")
    func settings() throws {
        let board = try deliveredBoard("raspberry-pi-4b")
        let pir = try #require(board.lines[.pir]).settings
        #expect(pir == .input(bias: .pullDown, edges: .both))
        #expect(pir.direction == .input && pir.edgeDetection == .both && pir.bias == .pullDown && !pir.activeLow)

        let tamper = try #require(board.lines[.tamper]).settings
        #expect(tamper == .input(activeLow: true, bias: .pullUp, edges: .both, debounce: .milliseconds(20)))

        let power = try #require(board.lines[.cameraPower]).settings
        #expect(power.direction == .output && power.initialValue)
        #expect(power == .output(initialValue: true))

        for role in [LogicalLine.statusLED, .irLED] {
            #expect(try #require(board.lines[role]).settings == .output(initialValue: false))
        }
    }

    @Test("Output settings carry drive, active-low and bias")
    func outputSettings() {
        var settings = LineAssignment(role: .statusLED, chipLabel: "c", offset: 1, activeLow: true, bias: .pullUp, drive: .openDrain)
            .settings
        #expect(settings.drive == .openDrain && settings.activeLow && settings.bias == .pullUp && !settings.initialValue)
        settings.bias = .asIs
        #expect(settings == .output(activeLow: true, drive: .openDrain))
    }

    @Test("Each logical line has its direction", arguments: LogicalLine.allCases)
    func direction(_ line: LogicalLine) {
        #expect(line.direction == ([.pir, .tamper].contains(line) ? .input : .output))
        #expect(LogicalLine(rawValue: line.description) == line)
    }
}
