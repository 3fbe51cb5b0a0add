import BoardSupport
import Foundation
import HAL
import HALSimulation
import Testing

/// Board files made to hurt: numbers past what hardware can mean, alias bombs, keys repeated
/// a thousand times, files far too large, and thousands of seeded random mutations. Each is
/// refused with a message (or accepted as valid), never a trap or a hang.
@Suite struct BoardHostileInputTests {
    @Test(arguments: [
        ("debounce: 20ms", "debounce: 9300000000s", "'debounce' in line 'tamper' must be at most 100 years, not '9300000000s'"),
        ("debounce: 20ms", "debounce: 10000000000", "'debounce' in line 'tamper' must be at most 100 years, not '10000000000'"),
        ("debounce: 20ms", "debounce: 2h", "'debounce' in line 'tamper' must be at most 1m (longer would swallow real events), not 2h"),
        ("lines: 58", "lines: 9223372036854775807",
         "'lines' in chip 'pinctrl-bcm2711' must be at most 1024 (a gpiochip has at most a few hundred lines), not 9223372036854775807"),
        ("lines: 58", "lines: 10000000",
         "'lines' in chip 'pinctrl-bcm2711' must be at most 1024 (a gpiochip has at most a few hundred lines), not 10000000"),
    ])
    func numbersBeyondTheHardwareAreRefusedWhereTheyAre(old: String, new: String, message: String) throws {
        let found = diagnostics(of: board(replacing: old, with: new))
        #expect(found.map(\.message) == [message])
        let line = validBoard.components(separatedBy: "\n").firstIndex { $0.contains(old) }.map { $0 + 1 }
        #expect(found.first?.line == line)
    }

    @Test func aSimulatedBoardWithAHugeChipIsRefusedBeforeAnythingIsAllocated() {
        let yaml = """
            name: huge
            backend: sim
            chips:
              - label: sim-gpio
                lines: 9223372036854775807
            camera: { model: vc0706, device: "sim:", baud: 38400 }
            lines: { pir: none, status-led: none, ir-led: none, tamper: none, camera-power: none }

            """
        let found = diagnostics(of: yaml, file: "Boards/huge.yaml")
        #expect(found.contains { $0.line == 5 && $0.message.contains("must be at most 1024") }, "\(found)")
    }

    /// Nine levels of nine aliases under an unknown key: 387 million strings once expanded,
    /// from under a kilobyte of text.
    static let aliasBomb: String = {
        var text = "bomb:\n  l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            text += "  l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        return text
    }()

    @Test func anAliasBombIsRefusedBeforeAnythingWalksIt() {
        #expect(Self.aliasBomb.utf8.count < 1000)
        let found = diagnostics(of: validBoard + Self.aliasBomb)
        #expect(found.count == 1)
        #expect(found.first?.message == "aliases expand the file by more than 100000 values; refused")
        #expect(found.first?.line == 27)  // the first alias, in l1
    }

    @Test func aFewAliasesAreStillFine() {
        let yaml = validBoard + "extra:\n  a: &a [1, 2, 3]\n  b: [*a, *a]\n"
        let found = diagnostics(of: yaml)
        #expect(found.count == 1 && found[0].message.hasPrefix("unknown key 'extra'"), "\(found)")
    }

    @Test func aKeyRepeatedAThousandTimesIsReportedEachTimeInOnePass() {
        let repeats = (0..<1000).map { "description: copy \($0)\n" }.joined()
        let found = diagnostics(of: validBoard + repeats)
        let duplicates = found.filter { $0.message == "duplicate key 'description' at the top level (first at 2:1)" }
        #expect(duplicates.count == 1000)
        #expect(duplicates.map(\.line) == Array(25..<1025))
        #expect(found.count == 1000, "\(found.prefix(3))")
        #expect(found.first?.message == "duplicate key 'description' at the top level (first at 2:1)", "\(found.first.map(\.message) ?? "")")
    }

    @Test func pastAThousandDuplicatesTheFirstIsReportedAlone() {
        let repeats = (0..<5000).map { "description: copy \($0)\n" }.joined()
        let found = diagnostics(of: validBoard + repeats)
        #expect(found.count == 1)
        #expect(found.first?.message == "duplicate key 'description'")
    }

    @Test func textOverOneMebibyteIsRefusedUnread() {
        let yaml = validBoard + "# " + String(repeating: "x", count: 1 << 20) + "\n"
        let found = diagnostics(of: yaml)
        #expect(found.map(\.message) == ["the file is \(yaml.utf8.count) bytes; at most 1048576 (1 MiB) are read"])
    }

    @Test func aFiftyMegabyteFileIsRefusedWithoutBeingRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-huge-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(validBoard.utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 50_000_000)  // sparse: costs no disk
        try handle.close()
        do {
            _ = try BoardLoader.load(path: path)
            Issue.record("a 50 MB board file was accepted")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["cannot read the board file: larger than 1048576 bytes (1 MiB), the most read"])
        }
    }

    /// Values a hostile file might hold, dropped at random into a valid board.
    static let extremes = [
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e308", "-1", "0", "1e19", "NaN", ".inf",
        "9300000000s", "99999999999999999999d", "1.5h", "0.000000001ns", "18446744073709551616ms", "*nowhere", "&a x",
        "[", "{", "}", "]", "~", "''", "\"\\uD800\"", "!!binary AAAA", "? x", "- - -", "<<: *a", String(repeating: "9", count: 400),
        "\u{0}", "\u{FEFF}", "\t", "|", ">", "%YAML 1.1", "---", "...",
    ]

    @Test func thousandsOfSeededMutationsNeverTrap() {
        var random = SeededRandom(seed: 0x5EED_B0A2D)
        let lines = validBoard.components(separatedBy: "\n")
        var accepted = 0, refused = 0
        for _ in 0..<2000 {
            var mutated = lines
            for _ in 0...(random.next() % 3) {
                let index = Int(random.next() % UInt64(mutated.count))
                let extreme = Self.extremes[Int(random.next() % UInt64(Self.extremes.count))]
                switch random.next() % 4 {
                case 0:  // a value replaced
                    if let colon = mutated[index].firstIndex(of: ":") {
                        mutated[index] = String(mutated[index][...colon]) + " " + extreme
                    }
                case 1:  // a line duplicated
                    mutated.insert(mutated[index], at: index)
                case 2:  // text inserted at a random place in the line
                    let line = Array(mutated[index])
                    let at = line.isEmpty ? 0 : Int(random.next() % UInt64(line.count))
                    mutated[index] = String(line[..<at]) + extreme + String(line[at...])
                default:  // random bytes
                    mutated[index] = String(decoding: (0..<8).map { _ in UInt8(truncatingIfNeeded: random.next()) }, as: UTF8.self)
                }
            }
            let found = diagnostics(of: mutated.joined(separator: "\n"))
            if found.isEmpty { accepted += 1 } else { refused += 1 }
            #expect(found.allSatisfy { !$0.message.isEmpty })
        }
        #expect(accepted + refused == 2000)
        #expect(refused > 1000)
    }
}
