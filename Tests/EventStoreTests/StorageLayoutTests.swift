import Foundation
import Testing
@testable import EventStore

@Suite struct StorageLayoutTests {
    let layout = StorageLayout(root: "/var/lib/vigil/")

    @Test func fixedPaths() {
        #expect(layout.root == "/var/lib/vigil")
        #expect(layout.indexPath == "/var/lib/vigil/index.sqlite")
        #expect(layout.socketPath == "/var/lib/vigil/vigil.sock")
    }

    @Test func movieAndSnapshotNames() throws {
        #expect(try layout.moviePath(camera: "front-door", start: baseTime)
            == "/var/lib/vigil/front-door/2026-03-14/front-door-20260314-150926-535.mkv")
        #expect(try layout.snapshotPath(camera: "front-door", start: baseTime)
            == "/var/lib/vigil/front-door/2026-03-14/front-door-20260314-150926-535.jpg")
        #expect(try layout.partialMoviePath(camera: "cam_1", start: Date(timeIntervalSince1970: 0))
            == "/var/lib/vigil/cam_1/1970-01-01/cam_1-19700101-000000-000.mkv.partial")
        // Truncated, not rounded, to the millisecond; UTC whatever the local zone.
        #expect(try layout.moviePath(camera: "c", start: Date(timeIntervalSince1970: 951_868_799.9999))
            == "/var/lib/vigil/c/2000-02-29/c-20000229-235959-999.mkv")
    }

    @Test(arguments: [
        0.0, 0.001, 59.999, 951_782_400.0, 1_773_500_966.535, 4_102_444_799.999, -1.0, -62_135_596_800.0,
        253_402_300_799.999,
    ])
    func nameRoundTrip(seconds: Double) throws {
        let start = Date(timeIntervalSince1970: seconds)
        for camera in ["a", "front-door", "cam_2-b", "X-20260314-150926-535"] {
            let movie = try layout.moviePath(camera: camera, start: start)
            let parsed = try #require(layout.parse(path: movie))
            #expect(parsed.camera == camera)
            #expect(parsed.start == start)
            #expect(layout.mediaKind(path: movie) == .movie)
            #expect(layout.parse(path: movie + ".partial")?.start == start)
            #expect(layout.mediaKind(path: movie + ".partial") == .partialMovie)
            let snapshot = try layout.snapshotPath(camera: camera, start: start)
            #expect(layout.parse(path: snapshot)?.camera == camera)
            #expect(layout.mediaKind(path: snapshot) == .snapshot)
        }
    }

    @Test func roundTripOfArbitraryTimesIsStable() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let start = Date(timeIntervalSince1970: Double.random(in: 0...4_000_000_000, using: &generator))
            let path = try layout.moviePath(camera: "cam", start: start)
            let parsed = try #require(layout.parse(path: path))
            #expect(abs(parsed.start.timeIntervalSince(start)) < 0.001)
            #expect(parsed.start.timeIntervalSince(start) < 2e-6)  // truncated, or snapped up by at most 1 µs
            #expect(try layout.moviePath(camera: "cam", start: parsed.start) == path)
        }
    }

    @Test(arguments: [
        "/r/c/2026-03-14/c-20260314-150926-535.mp4",
        "/r/c/2026-03-14/c-20260314-150926-53.mkv",
        "/r/c/2026-03-14/-20260314-150926-535.mkv",
        "/r/c/2026-03-14/c_20260314-150926-535.mkv",
        "/r/c/2026-03-14/c-20260230-150926-535.mkv",
        "/r/c/2026-03-14/c-20261314-150926-535.mkv",
        "/r/c/2026-03-14/c-20260314-250926-535.mkv",
        "/r/c/2026-03-14/c-20260314-156026-535.mkv",
        "/r/c/2026-03-14/c d-20260314-150926-535.mkv",
        "/r/c/2026-03-14/c-2026031a-150926-535.mkv",
        "/r/c/2026-03-14/c-20260314-150926-535.jpeg",
        "index.sqlite",
        "",
    ])
    func rejectsForeignNames(path: String) {
        #expect(layout.parse(path: path) == nil)
        #expect(layout.mediaKind(path: path) == nil)
    }

    @Test func validatesCameraNames() {
        for good in ["a", "Z9", "front-door", "back_yard", "-", String(repeating: "x", count: 200)] {
            #expect(StorageLayout.isValid(camera: good))
        }
        for bad in ["", "a b", "a/b", "..", ".", "café", "a.b", String(repeating: "x", count: 201)] {
            #expect(!StorageLayout.isValid(camera: bad))
            let error = #expect(throws: EventStoreError.self) { try layout.moviePath(camera: bad, start: baseTime) }
            #expect(error?.kind == .invalidCameraName)
        }
    }

    @Test func rejectsUnnameableTimes() {
        for seconds in [Double.nan, .infinity, -.infinity, 1e15, -70_000_000_000] {
            let error = #expect(throws: EventStoreError.self) {
                try layout.moviePath(camera: "c", start: Date(timeIntervalSince1970: seconds))
            }
            #expect(error?.kind == .invalidTime)
        }
    }

    @Test func listsMediaFilesOnly() throws {
        try withScratch { scratch in
            let layout = StorageLayout(root: scratch.path)
            #expect(try layout.allMediaFiles().isEmpty)
            let movie = try layout.moviePath(camera: "a", start: baseTime)
            let snapshot = try layout.snapshotPath(camera: "a", start: baseTime)
            let partial = try layout.partialMoviePath(camera: "b", start: time(86_400))
            for path in [movie, snapshot, partial] { try writeFile(path, bytes: 10) }
            try writeFile(layout.indexPath, bytes: 10)
            try writeFile(scratch.file("a/notes.txt"), bytes: 1)
            try writeFile(scratch.file("a/odd-name.mkv"), bytes: 1)
            #expect(try layout.allMediaFiles() == [movie, snapshot, partial, scratch.file("a/odd-name.mkv")].sorted())
            #expect(try StorageLayout(root: scratch.file("missing")).allMediaFiles().isEmpty)
        }
    }

    @Test func createsDayDirectories() throws {
        try withScratch { scratch in
            let layout = StorageLayout(root: scratch.file("root"))
            let directory = try layout.createDirectory(camera: "cam", start: baseTime)
            #expect(directory == scratch.file("root/cam/2026-03-14"))
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue)
            #expect(try layout.createDirectory(camera: "cam", start: baseTime) == directory)
        }
    }
}
