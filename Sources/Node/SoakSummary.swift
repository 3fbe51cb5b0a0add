import Foundation

/// What a soak run did and found (see ``Soak``); ``passed`` says whether it holds up.
public struct SoakSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    public var seed: UInt64
    public var simulatedHours: Double
    public var wallSeconds: Double
    /// Frames the emulated camera served (rendered for a capture).
    public var framesServed: Int
    /// Frames the recorder received.
    public var framesCaptured: Int
    /// Frames read back from finished movies, and how many of them the camera never served.
    public var framesStored: Int
    public var framesUnmatched: Int
    /// Faults injected, by kind: `serial-plan`, `dropped-byte`, `stall`, `unplug`, `power-cut`,
    /// `pir-chatter`, `disk-full`.
    public var faults: [String: Int]
    /// Storage faults the recorder told (by kind) and its recoveries.
    public var storageFaults: [String: Int]
    public var storageRecoveries: Int
    /// Events the node reported ending, and those of them with frames missing from the index.
    public var events: Int
    public var eventsMissing: Int
    /// Movies on disk at the end, movies with a finished row, and what a restart's reconcile
    /// still had to repair (movies whose finishing a full disk refused).
    public var moviesOnDisk: Int
    public var moviesIndexed: Int
    public var moviesRepairedAtEnd: Int
    public var partialMoviesLeft: Int
    /// Resident set size in bytes: at the first reading, after the first simulated hour, the
    /// highest, at the end.
    public var rssStart: Int64
    public var rssAfterFirstHour: Int64
    public var rssMax: Int64
    public var rssEnd: Int64
    /// The resident set's growth in bytes per simulated day over the hourly readings (see
    /// ``growthPerDay(_:)``); nil on a run too short to judge (see ``SoakPlan/rssJudgedAfter``).
    public var rssGrowthPerDay: Double?
    public var rssGrowthPerDayBound: Int64
    /// Camera reconnections and errors in the status at the end.
    public var reconnects: Int
    public var cameraErrors: Int
    /// Re-reads the camera drivers needed for frames they delivered (the faults they rode through).
    public var rereads: Int

    /// No frame stored that was not served, every event and movie in the index, no partial
    /// file left, the resident set within its bound.
    public var passed: Bool {
        framesUnmatched == 0 && eventsMissing == 0 && moviesOnDisk == moviesIndexed && partialMoviesLeft == 0
            && (rssGrowthPerDay ?? 0) <= Double(rssGrowthPerDayBound) && framesStored > 0
    }

    public var description: String {
        func mib(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        let faultList = faults.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let growth = rssGrowthPerDay.map {
            String(format: "growth %.2f MiB a simulated day (bound %.2f)", $0 / 1_048_576, Double(rssGrowthPerDayBound) / 1_048_576)
        } ?? "growth not judged (a run under a day)"
        let storageList = storageFaults.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return """
            soak seed \(seed): \(String(format: "%.1f", simulatedHours)) simulated hours in \(String(format: "%.0f", wallSeconds)) s: \(passed ? "PASSED" : "FAILED")
              frames: \(framesServed) served, \(framesCaptured) captured, \(framesStored) stored and read back, \(framesUnmatched) not served by the camera
              faults injected: \(faultList.isEmpty ? "none" : faultList)
              storage faults told: \(storageList.isEmpty ? "none" : storageList); recoveries \(storageRecoveries)
              camera: \(reconnects) reconnects, \(cameraErrors) errors, \(rereads) re-reads of frames delivered in the end
              events: \(events) ended, \(eventsMissing) missing from the index
              movies: \(moviesOnDisk) on disk, \(moviesIndexed) indexed, \(moviesRepairedAtEnd) repaired by the next start's reconcile, \(partialMoviesLeft) partial left
              RSS: start \(mib(rssStart)), after the first hour \(mib(rssAfterFirstHour)), max \(mib(rssMax)), end \(mib(rssEnd)); \(growth)
            """
    }

    /// The resident set's growth over `samples` (hours, bytes) in bytes per day: the median of
    /// the slopes between every two readings (Theil-Sen), so that a leak, which raises every
    /// slope, shows, while a one-off step (malloc keeping a freed arena, a cache reaching its
    /// size) raises fewer than half of them and does not; nil with fewer than two readings.
    public static func growthPerDay(_ samples: [(hours: Double, bytes: Int64)]) -> Double? {
        var slopes: [Double] = []
        for (index, first) in samples.enumerated() {
            for second in samples[(index + 1)...] where second.hours != first.hours {
                slopes.append((Double(second.bytes) - Double(first.bytes)) / (second.hours - first.hours) * 24)
            }
        }
        guard !slopes.isEmpty else { return nil }
        slopes.sort()
        let middle = slopes.count / 2
        return slopes.count % 2 == 1 ? slopes[middle] : (slopes[middle - 1] + slopes[middle]) / 2
    }
}
