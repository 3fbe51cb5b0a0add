import BoardSupport
import Foundation
import Testing

@Suite("Finding boards")
struct BoardCatalogTests {
    let catalog = BoardCatalog(searchDirectories: [boardsDirectory])

    /// A fresh empty directory, removed by the caller.
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "vigil-boards-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("A name is looked up in the search directories")
    func byName() throws {
        let board = try catalog.load(nameOrPath: "sim")
        #expect(board.name == "sim")
        #expect(board.backend == .sim)
        #expect(catalog.file(ofBoard: "sim") == "\(boardsDirectory)/sim.yaml")
    }

    @Test("A value with a slash or ending .yaml is a path")
    func byPath() throws {
        #expect(try catalog.load(nameOrPath: "\(boardsDirectory)/raspberry-pi-5.yaml").name == "raspberry-pi-5")
        #expect(BoardCatalog.isPath("x.yaml") && BoardCatalog.isPath("./x") && !BoardCatalog.isPath("sim"))
        let error = #expect(throws: BoardError.self) { try catalog.load(nameOrPath: "nowhere.yaml") }
        #expect(error?.description == "nowhere.yaml: no such board file")
    }

    @Test("An unknown name lists the available boards")
    func unknownName() throws {
        let error = try #require(#expect(throws: BoardError.self) { try catalog.load(nameOrPath: "raspberry-pi-6") })
        #expect(error.diagnostics.count == 1)
        #expect(
            error.description
                == "unknown board 'raspberry-pi-6'; available boards: beaglebone-black, raspberry-pi-3b, raspberry-pi-4b, "
                + "raspberry-pi-5, raspberry-pi-zero-2w, sim, sim-ucam3, virtual-board (searched: \(boardsDirectory))")
    }

    @Test("availableBoards lists every board with its description and file")
    func available() {
        let listings = catalog.availableBoards()
        #expect(listings.map(\.name) == deliveredBoards.sorted())
        for listing in listings {
            #expect(listing.error == nil)
            #expect(listing.file == "\(boardsDirectory)/\(listing.name).yaml")
            #expect(listing.description == listing.board?.description)
            #expect(!listing.description.isEmpty)
        }
    }

    @Test("Earlier directories override later ones; invalid files are listed with their error")
    func overrides() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sim = try String(contentsOfFile: "\(boardsDirectory)/sim.yaml", encoding: .utf8)
            .replacingOccurrences(of: "description: Simulated camera node", with: "description: My own simulator")
        try sim.write(toFile: "\(directory)/sim.yaml", atomically: true, encoding: .utf8)
        try "name: broken\n".write(toFile: "\(directory)/broken.yaml", atomically: true, encoding: .utf8)

        let catalog = BoardCatalog(searchDirectories: [directory, "/nonexistent", boardsDirectory])
        #expect(try catalog.load(nameOrPath: "sim").description.hasPrefix("My own simulator"))
        let listings = catalog.availableBoards()
        #expect(listings.count == deliveredBoards.count + 1)
        #expect(listings.first { $0.name == "sim" }?.file == "\(directory)/sim.yaml")
        let broken = try #require(listings.first { $0.name == "broken" })
        #expect(broken.board == nil)
        #expect(broken.error?.diagnostics.first?.message == "missing required key 'backend' at the top level")
        #expect(throws: BoardError.self) { try catalog.load(nameOrPath: "broken") }
    }

    @Test("The standard directories: $VIGIL_BOARDS, a Boards folder above the executable, then the system ones")
    func standardDirectories() {
        let repository = URL(fileURLWithPath: boardsDirectory).deletingLastPathComponent().path
        let directories = BoardCatalog.standardSearchDirectories(
            environment: ["VIGIL_BOARDS": "/opt/boards::/etc/vigil/boards"],
            executablePath: "\(repository)/.build/debug/vigil")
        #expect(directories == [
            "/opt/boards", "/etc/vigil/boards", boardsDirectory, "/usr/local/share/vigil/boards", "/usr/share/vigil/boards",
        ])
        #expect(
            BoardCatalog.standardSearchDirectories(environment: [:], executablePath: nil)
                == ["/usr/local/share/vigil/boards", "/usr/share/vigil/boards"])
    }
}
