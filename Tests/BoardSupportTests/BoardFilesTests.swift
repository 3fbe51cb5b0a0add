import BoardSupport
import Foundation
import HAL
import Testing

@Suite("The delivered board files")
struct BoardFilesTests {
    @Test("Boards/ holds exactly the delivered boards")
    func delivered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: boardsDirectory).filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == Set(deliveredBoards.map { "\($0).yaml" }))
    }

    @Test("Every board file parses, is named after its file, has all five lines and a camera", arguments: deliveredBoards)
    func valid(name: String) throws {
        let board = try BoardLoader.load(path: "\(boardsDirectory)/\(name).yaml")
        #expect(board.name == name)
        #expect(!board.description.isEmpty)
        #expect(Set(board.lines.keys) == Set(LogicalLine.allCases))
        // Every board's camera talks at its model's power-up baud.
        #expect(board.camera.baud == (board.camera.model == .vc0706 ? 38400 : 115200))
        #expect(name.hasSuffix("ucam3") == (board.camera.model == .ucam3))
        for assignment in board.lines.values {
            let chip = try #require(board.chip(labelled: assignment.chipLabel))
            #expect((0..<chip.lineCount).contains(assignment.offset))
        }
        #expect((board.backend == .sim) == (board.simulation != nil))
    }

    @Test("The Raspberry Pi boards use the header UART and BCM header names", arguments: [
        ("raspberry-pi-zero-2w", "pinctrl-bcm2835", 54), ("raspberry-pi-3b", "pinctrl-bcm2835", 54),
        ("raspberry-pi-4b", "pinctrl-bcm2711", 58), ("raspberry-pi-5", "pinctrl-rp1", 54),
    ])
    func raspberryPi(name: String, label: String, lineCount: Int) throws {
        let board = try deliveredBoard(name)
        #expect(board.backend == .linux)
        #expect(board.camera.device == "/dev/serial0")
        #expect(board.chips == [BoardChip(label: label, lineCount: lineCount, names: board.chips[0].names, header: .bcm)])
        #expect(board.chips[0].names.count >= 28)
        #expect(board.chips[0].offsets(ofLineNamed: "GPIO14") == [14])
        let offsets = board.lines.mapValues(\.offset)
        #expect(offsets == [.pir: 17, .statusLED: 27, .irLED: 22, .tamper: 23, .cameraPower: 24])
    }

    @Test("The Pi 3B, Zero 2 W and 4B kernel names of the header lines")
    func kernelNames() throws {
        let header = [
            "ID_SDA", "ID_SCL", "SDA1", "SCL1", "GPIO_GCLK", "GPIO5", "GPIO6", "SPI_CE1_N", "SPI_CE0_N", "SPI_MISO",
            "SPI_MOSI", "SPI_SCLK", "GPIO12", "GPIO13", "TXD1", "RXD1", "GPIO16", "GPIO17", "GPIO18", "GPIO19",
            "GPIO20", "GPIO21", "GPIO22", "GPIO23", "GPIO24", "GPIO25", "GPIO26", "GPIO27",
        ]
        for name in ["raspberry-pi-zero-2w", "raspberry-pi-3b", "raspberry-pi-4b"] {
            #expect(Array(try deliveredBoard(name).chips[0].names.prefix(28)) == header)
        }
        #expect(try deliveredBoard("raspberry-pi-4b").chips[0].names.count == 58)
        #expect(try deliveredBoard("raspberry-pi-5").chips[0].names == (0...27).map { "GPIO\($0)" })
    }

    @Test("The BeagleBone Black uses UART4 and the four GPIO banks")
    func beagleBone() throws {
        let board = try deliveredBoard("beaglebone-black")
        #expect(board.camera.device == "/dev/ttyS4")
        #expect(board.chips.map(\.label) == ["44e07000.gpio", "4804c000.gpio", "481ac000.gpio", "481ae000.gpio"])
        #expect(board.chips.allSatisfy { $0.lineCount == 32 })
        #expect(board.lines[.pir]?.location == "4804c000.gpio:13")
        #expect(board.lines[.cameraPower]?.location == "481ac000.gpio:1")
    }

    @Test("The sim board")
    func sim() throws {
        let board = try deliveredBoard("sim")
        #expect(board.backend == .sim)
        #expect(board.chips == [BoardChip(label: "vigil-sim", lineCount: 28, names: (0...27).map { "GPIO\($0)" })])
        #expect(board.camera == BoardCamera(model: .vc0706, device: "sim:camera0", baud: 38400))
        #expect(board.camera.isSimulatedDevice)
        #expect(board.simulation == BoardSimulation(seed: 1, pirPeriod: .seconds(45), pirHold: .seconds(4)))
        #expect(board.lines[.pir] == LineAssignment(role: .pir, chipLabel: "vigil-sim", offset: 17, lineName: "GPIO17", bias: .pullDown))
        #expect(board.lines[.statusLED]?.offset == 27)
        #expect(board.lines[.irLED]?.offset == 22)
        #expect(
            board.lines[.tamper]
                == LineAssignment(
                    role: .tamper, chipLabel: "vigil-sim", offset: 23, lineName: "GPIO23", activeLow: true, bias: .pullUp,
                    debounce: .milliseconds(20)))
        #expect(board.lines[.cameraPower]?.offset == 24)
    }
}
