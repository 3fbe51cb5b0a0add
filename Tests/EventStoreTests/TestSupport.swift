import Foundation
@testable import EventStore

/// A scratch directory removed when the value is dropped by `withScratch`.
struct Scratch {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("eventstore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }
}

func withScratch<T>(_ body: (Scratch) throws -> T) throws -> T {
    let scratch = try Scratch()
    defer { scratch.remove() }
    return try body(scratch)
}

/// 2026-03-14 15:09:26.535 UTC, a whole number of milliseconds.
let baseTime = Date(timeIntervalSince1970: 1_773_500_966.535)

func time(_ offset: TimeInterval) -> Date {
    Date(timeIntervalSince1970: (baseTime.timeIntervalSince1970 * 1000 + offset * 1000).rounded() / 1000)
}

/// Writes `count` bytes at `path`, creating its directory.
func writeFile(_ path: String, bytes count: Int) throws {
    let directory = (path as NSString).deletingLastPathComponent
    if !FileManager.default.fileExists(atPath: directory) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    try Data(repeating: 0x5A, count: count).write(to: URL(fileURLWithPath: path))
}

func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

/// A probe that reports the file's size, 25 frames and 1 s.
func sizeProbe(_ path: String) -> (frames: Int, bytes: Int64, duration: Double)? {
    guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber else { return nil }
    return (25, size.int64Value, 1.0)
}

/// A repair that renames `X.partial` to `X`.
func renamingRepair(_ partial: String) -> String? {
    let finished = String(partial.dropLast(".partial".count))
    do {
        try FileManager.default.moveItem(atPath: partial, toPath: finished)
        return finished
    } catch {
        return nil
    }
}
