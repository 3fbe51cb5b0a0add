import BoardSupport
import Foundation

/// The repository's Boards/ folder, found from this file's location.
let boardsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Boards").path

/// The board files delivered in Boards/.
let deliveredBoards = ["raspberry-pi-zero-2w", "raspberry-pi-3b", "raspberry-pi-4b", "raspberry-pi-5", "beaglebone-black", "sim", "sim-ucam3", "virtual-board"]

/// Loads a delivered board by name.
func deliveredBoard(_ name: String) throws -> BoardDescription {
    try BoardCatalog(searchDirectories: [boardsDirectory]).load(nameOrPath: name)
}

/// The diagnostics `yaml` produces as `file`; empty if it is a valid board.
func diagnostics(of yaml: String, file: String = "Boards/bad.yaml") -> [BoardDiagnostic] {
    do {
        _ = try BoardLoader.parse(yaml: yaml, file: file)
        return []
    } catch {
        return error.diagnostics
    }
}

/// A valid linux board whose file is `Boards/bad.yaml`, laid out one key a line so that tests
/// can break one line and know exactly where the problem is. Line numbers are in the comments.
let validBoard = """
    name: bad
    description: A board the tests break
    backend: linux
    chips:
      - label: pinctrl-bcm2711
        lines: 58
        header: bcm
        names: [ID_SDA, ID_SCL, SDA1, SCL1, GPIO_GCLK, GPIO5, GPIO6, SPI_CE1_N, SPI_CE0_N, SPI_MISO, SPI_MOSI, SPI_SCLK, GPIO12, GPIO13, TXD1, RXD1, GPIO16, GPIO17, GPIO18, GPIO19, GPIO20, GPIO21, GPIO22, GPIO23, GPIO24, GPIO25, GPIO26, GPIO27]
    camera:
      model: vc0706
      device: /dev/serial0
      baud: 38400
    lines:
      pir:
        line: GPIO17
        bias: pull-down
      status-led: { line: GPIO27 }
      ir-led: { line: GPIO22 }
      tamper:
        line: GPIO23
        active-low: true
        bias: pull-up
        debounce: 20ms
      camera-power: { line: GPIO24 }

    """
// 1 name, 2 description, 3 backend, 4 chips, 5 label, 6 lines, 7 header, 8 names, 9 camera,
// 10 model, 11 device, 12 baud, 13 lines, 14 pir, 15 line, 16 bias, 17 status-led, 18 ir-led,
// 19 tamper, 20 line, 21 active-low, 22 bias, 23 debounce, 24 camera-power, 25 (end)

/// ``validBoard`` with its one occurrence of `old` replaced by `new`.
func board(replacing old: String, with new: String, in base: String = validBoard) -> String {
    precondition(base.components(separatedBy: old).count == 2, "'\(old)' must occur exactly once")
    return base.replacingOccurrences(of: old, with: new)
}
