import Foundation

/// Prints `value` as one line of JSON on standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
}

/// Summary statistics of a sample, in the sample's unit.
struct Distribution: Codable {
    var count: Int
    var mean: Double
    var median: Double
    var p99: Double
    var min: Double
    var max: Double

    init(_ sample: [Double]) {
        let sorted = sample.sorted()
        count = sorted.count
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        median = Self.percentile(sorted, 0.5)
        p99 = Self.percentile(sorted, 0.99)
        min = sorted.first ?? 0
        max = sorted.last ?? 0
    }

    /// The nearest-rank percentile of an ascending sample (0 for an empty one).
    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(sorted.count, Swift.max(1, rank)) - 1]
    }
}
