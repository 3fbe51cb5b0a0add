import BoardSupport
import HAL
import Testing

/// A chip that only answers questions about itself.
final class FakeChip: GPIOChip {
    let info: ChipInfo
    let names: [String?]

    init(number: Int, label: String, names: [String?], lineCount: Int? = nil) {
        info = ChipInfo(name: "gpiochip\(number)", label: label, path: "/dev/gpiochip\(number)", lineCount: lineCount ?? names.count)
        self.names = names
    }

    func lineInfo(_ offset: Int) throws(HALError) -> LineInfo {
        LineInfo(offset: offset, name: names.indices.contains(offset) ? names[offset] : nil)
    }

    func requestLines(_ offsets: [Int], settings: LineSettings, consumer: String) throws(HALError) -> any LineRequest {
        throw HALError(.unsupported, operation: "request-lines")
    }
}

struct FakeProvider: GPIOProvider {
    let all: [FakeChip]
    func chips() throws(HALError) -> [any GPIOChip] { all }
}

@Suite("Resolving logical lines on a system")
struct ResolveTests {
    let pi4 = FakeChip(
        number: 0, label: "pinctrl-bcm2711",
        names: ["ID_SDA", "ID_SCL", "SDA1", "SCL1", "GPIO_GCLK", "GPIO5", "GPIO6", "SPI_CE1_N", "SPI_CE0_N", "SPI_MISO",
                "SPI_MOSI", "SPI_SCLK", "GPIO12", "GPIO13", "TXD1", "RXD1", "GPIO16", "GPIO17", "GPIO18", "GPIO19",
                "GPIO20", "GPIO21", "GPIO22", "GPIO23", "GPIO24", "GPIO25", "GPIO26", "GPIO27"]
            + Array(repeating: nil, count: 30))
    let expander = FakeChip(number: 1, label: "raspberrypi-exp-gpio", names: Array(repeating: nil, count: 8))

    @Test("Every line of the Pi 4 board resolves to its chip and offset")
    func resolves() throws {
        let board = try deliveredBoard("raspberry-pi-4b")
        let provider = FakeProvider(all: [expander, pi4])
        for role in LogicalLine.allCases {
            let found = try #require(try board.resolve(role, in: provider))
            #expect(found.chip === pi4)
            #expect(found.offset == board.lines[role]?.offset)
        }
    }

    @Test("A peripheral the board lacks resolves to nil")
    func absent() throws {
        var board = try deliveredBoard("raspberry-pi-4b")
        board.lines[.tamper] = nil
        #expect(try board.resolve(.tamper, in: FakeProvider(all: [pi4])) == nil)
    }

    @Test("A missing chip is notFound and names the chips there are")
    func missingChip() throws {
        let board = try deliveredBoard("raspberry-pi-4b")
        let error = #expect(throws: HALError.self) { try board.resolve(.pir, in: FakeProvider(all: [expander])) }
        #expect(error?.kind == .notFound)
        #expect(error?.target == "pinctrl-bcm2711:17")
        #expect(error?.message?.contains("chips present: 'raspberrypi-exp-gpio' (gpiochip1)") == true)
    }

    @Test("A line the chip names differently is refused")
    func wrongName() throws {
        let board = try deliveredBoard("raspberry-pi-4b")
        let renamed = FakeChip(number: 0, label: "pinctrl-bcm2711", names: (0..<58).map { "LINE\($0)" })
        let error = #expect(throws: HALError.self) { try board.resolve(.pir, in: FakeProvider(all: [renamed])) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message == "the line for 'pir' should be named 'GPIO17', but chip 'pinctrl-bcm2711' names offset 17 'LINE17'; is this the right board?")
    }

    @Test("A chip without names is trusted; a chip too small is refused")
    func unnamedAndSmall() throws {
        let board = try deliveredBoard("raspberry-pi-4b")
        let unnamed = FakeChip(number: 0, label: "pinctrl-bcm2711", names: Array(repeating: nil, count: 58))
        #expect(try board.resolve(.pir, in: FakeProvider(all: [unnamed]))?.offset == 17)
        let small = FakeChip(number: 0, label: "pinctrl-bcm2711", names: Array(repeating: nil, count: 10))
        let error = #expect(throws: HALError.self) { try board.resolve(.pir, in: FakeProvider(all: [small])) }
        #expect(error?.kind == .invalidArgument)
    }
}
