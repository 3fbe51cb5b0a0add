import Foundation
import Testing

@Suite struct CommandTests {
    func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func gpioInfoOnTheSimBoardIsValidJSONWithTheBoardsRoles() async throws {
        let result = try await VigilProcess.run(["--board", "sim", "gpio", "info", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let chips = try #require(try json(result.output) as? [[String: Any]])
        #expect(chips.first?["label"] as? String == "vigil-sim")
        let lines = try #require(chips.first?["lines"] as? [[String: Any]])
        #expect(lines.count == 28)
        let pir = try #require(lines.first { $0["role"] as? String == "pir" })
        #expect(pir["name"] as? String == "GPIO17")
    }

    @Test func portsIsValidJSON() async throws {
        let result = try await VigilProcess.run(["ports", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let ports = try #require(try json(result.output) as? [[String: Any]])
        #expect(ports.first?["path"] as? String == "sim:camera0")
        let linux = try await VigilProcess.run(["ports", "--json", "--board", "raspberry-pi-4b"])
        #expect(linux.status == 0, "\(linux.error)")
        #expect(try json(linux.output) is [Any])
    }

    @Test func monitorPrintsTheEdgesTheSimulatedPIRProduces() async throws {
        let result = try await VigilProcess.run(["gpio", "monitor", "pir", "--speed", "2000", "--count", "4", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let events = try result.output.split(separator: "\n").map { try #require(try json(String($0)) as? [String: Any]) }
        #expect(events.map { $0["edge"] as? String } == ["rising", "falling", "rising", "falling"])
        #expect(events.allSatisfy { $0["line"] as? String == "pir" && $0["offset"] as? Int == 17 })
        // The board's PIR holds for 4 s after the last sight of someone.
        let times = events.compactMap { $0["seconds"] as? Double }
        #expect(times[1] - times[0] >= 4 - 0.001)
    }

    @Test func getAndSetAddressLinesByRoleNameAndChipOffset() async throws {
        let get = try await VigilProcess.run(["gpio", "get", "pir", "GPIO5", "vigil-sim:6", "tamper", "--json"])
        #expect(get.status == 0, "\(get.error)")
        let values = try #require(try json(get.output) as? [String: Bool])
        #expect(values == ["pir": false, "GPIO5": false, "vigil-sim:6": false, "tamper": false])
        let set = try await VigilProcess.run(["gpio", "set", "status-led=1", "ir-led=off"])
        #expect(set.status == 0, "\(set.error)")
        #expect(set.output.contains("status-led=1 ir-led=0"))
    }

    @Test func mistakesGetClearMessagesAndAFailingStatus() async throws {
        let input = try await VigilProcess.run(["gpio", "set", "pir=1"])
        #expect(input.status != 0)
        #expect(input.error.contains("input: it cannot be driven"))
        let unknown = try await VigilProcess.run(["gpio", "get", "GPIO99"])
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("no line named 'GPIO99'"))
        let offset = try await VigilProcess.run(["gpio", "get", "0:99"])
        #expect(offset.error.contains("has 28 lines"))
        let board = try await VigilProcess.run(["--board", "no-such-board", "gpio", "info"])
        #expect(board.status != 0)
        #expect(board.error.contains("no-such-board"))
        let linux = try await VigilProcess.run(["--backend", "linux", "gpio", "info"])
        #expect(linux.error.contains("simulated and has no real hardware"))
        let duration = try await VigilProcess.run(["gpio", "set", "status-led=1", "--hold", "soon"])
        #expect(duration.status != 0)
        #expect(!duration.error.contains("Fatal"))
    }

    @Test func validateReportsEachBrokenFileWithLineAndColumn() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-broken-\(UUID().uuidString).yaml")
        try "name: broken\nbackend: linux\nchips: []\ncamera: { model: vc0706, device: /dev/serial0, baud: 12345 }\nlines: {}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await VigilProcess.run(["boards", "validate", file.path])
        #expect(result.status == 1)
        #expect(result.output.contains("\(file.path):4:"))
        #expect(result.output.contains("12345"))
        let good = try await VigilProcess.run(["boards", "validate", "--json", Self.boards + "/sim.yaml"])
        #expect(good.status == 0)
        #expect(good.output.contains("\"valid\" : true"))
    }

    @Test func boardsListShowsEveryShippedBoard() async throws {
        let result = try await VigilProcess.run(["boards", "list", "--json"])
        let boards = try #require(try json(result.output) as? [[String: Any]])
        let names = Set(boards.compactMap { $0["name"] as? String })
        #expect(names.isSuperset(of: ["sim", "raspberry-pi-zero-2w", "raspberry-pi-3b", "raspberry-pi-4b", "raspberry-pi-5", "beaglebone-black"]))
    }

    @Test func theBackendComesFromTheEnvironmentWhenNotGiven() async throws {
        let result = try await VigilProcess.run(["gpio", "info"], environment: ["VIGIL_BACKEND": "linux"])
        #expect(result.error.contains("simulated and has no real hardware"))
        let bad = try await VigilProcess.run(["gpio", "info"], environment: ["VIGIL_BACKEND": "quantum"])
        #expect(bad.error.contains("VIGIL_BACKEND must be 'sim' or 'linux'"))
    }

    @Test func helpDescribesTheCommands() async throws {
        let help = try await VigilProcess.run(["gpio", "--help"])
        for subcommand in ["info", "get", "set", "monitor"] { #expect(help.output.contains(subcommand)) }
        let completion = try await VigilProcess.run(["--generate-completion-script", "bash"])
        #expect(completion.output.contains("_vigil"))
    }

    static let boards = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Boards").path
}
