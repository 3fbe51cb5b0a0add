import BoardSupport
import Foundation
import Testing

@Suite("Boards as JSON")
struct BoardJSONTests {
    @Test("A board encodes with board-file keys and durations as strings, and decodes back", arguments: deliveredBoards)
    func roundTrip(name: String) throws {
        let board = try deliveredBoard(name)
        let data = try JSONEncoder().encode(board)
        #expect(try JSONDecoder().decode(BoardDescription.self, from: data) == board)
    }

    @Test("The sim board's JSON")
    func simJSON() throws {
        let data = try JSONEncoder().encode(try deliveredBoard("sim"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["name"] as? String == "sim")
        #expect(json["backend"] as? String == "sim")
        let lines = try #require(json["lines"] as? [String: Any])
        #expect(Set(lines.keys) == Set(LogicalLine.allCases.map(\.rawValue)))
        let tamper = try #require(lines["tamper"] as? [String: Any])
        #expect(tamper["debounce"] as? String == "20ms")
        #expect(tamper["active-low"] as? Bool == true)
        #expect(tamper["chip"] as? String == "vigil-sim")
        #expect(tamper["offset"] as? Int == 23)
        let simulation = try #require(json["simulation"] as? [String: Any])
        #expect(simulation["pir-period"] as? String == "45s")
        #expect(simulation["pir-hold"] as? String == "4s")
        #expect(simulation["seed"] as? Int == 1)
    }
}
