import Foundation

/// Printing for people and for scripts.
enum Output {
    /// Prints `value` as pretty JSON with sorted keys.
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Prints `value` as one line of JSON (for streams of events: JSON Lines).
    static func jsonLine(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
        fflush(nil)
    }

    /// Prints each of a camera's warnings (what it refused, what was assumed instead) on
    /// standard error, one line each.
    static func warnings(_ warnings: [String]) {
        for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
    }

    /// Prints rows as left-aligned columns separated by two spaces.
    static func table(_ rows: [[String]], indent: String = "") {
        guard let columns = rows.map(\.count).max() else { return }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            print(indent + cells.joined(separator: "  "))
        }
    }
}
