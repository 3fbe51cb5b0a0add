import EventStore
import Foundation
import Testing

@testable import VigilCLI

/// A storage root with an index of three events and their files, as the recorder leaves them.
struct RecordedStorage {
    let root: String
    let layout: StorageLayout
    /// 2025-03-01 18:00:00 UTC.
    static let t0 = Date(timeIntervalSince1970: 1_740_852_000)
    var ids: [Int64] = []
    var files: [String: [UInt8]] = [:]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-storage-\(UUID().uuidString)").path
        layout = StorageLayout(root: root)
        let index = try EventIndex(path: layout.indexPath)

        // 1: front, finished, one movie and a snapshot.
        let first = try index.beginEvent(camera: "front", start: Self.t0, triggers: ["pir"])
        try record(index, event: first.id, camera: "front", start: Self.t0, seconds: 12, frames: 120)
        let snapshot = try layout.snapshotPath(camera: "front", start: Self.t0)
        try write(snapshot, bytes: 3000)
        try index.addTrigger(eventID: first.id, "camera-motion")
        try index.finishEvent(id: first.id, end: Self.t0 + 12, frames: 120, bytes: 123_456 + 3000, snapshot: snapshot)

        // 2: back, an hour later, a long event in two movies, no snapshot.
        let second = Self.t0 + 3600
        let back = try index.beginEvent(camera: "back", start: second, triggers: ["software-motion"])
        try record(index, event: back.id, camera: "back", start: second, seconds: 300, frames: 1500)
        try record(index, event: back.id, camera: "back", start: second + 300, seconds: 65, frames: 325)
        try index.finishEvent(id: back.id, end: second + 365, frames: 1825, bytes: 2 * 123_456)

        // 3: front, ten minutes ago, still recording into a partial movie.
        let recent = Date().addingTimeInterval(-600)
        let third = try index.beginEvent(camera: "front", start: recent, triggers: ["manual"])
        let movie = try index.addMovie(eventID: third.id, path: layout.partialMoviePath(camera: "front", start: recent), start: recent)
        try write(movie.path + StorageLayout.partialSuffix, bytes: 5000)
        ids = [first.id, back.id, third.id]
    }

    private mutating func record(_ index: EventIndex, event: Int64, camera: String, start: Date, seconds: Double, frames: Int) throws {
        try layout.createDirectory(camera: camera, start: start)
        let movie = try index.addMovie(eventID: event, path: layout.moviePath(camera: camera, start: start), start: start)
        try write(movie.path, bytes: 123_456)
        try index.updateMovie(id: movie.id, frames: frames, bytes: 123_456, end: start + seconds, finished: true)
    }

    private mutating func write(_ path: String, bytes count: Int) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ path.utf8.count) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        files[path] = bytes
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

@Suite struct EventsCommandTests {
    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    func list(_ storage: RecordedStorage, _ arguments: [String]) async throws -> [[String: Any]] {
        let result = try await VigilProcess.run(["events", "list", "--storage", storage.root, "--json"] + arguments)
        #expect(result.status == 0, "\(result.error)")
        return try #require(try json(result.output) as? [[String: Any]])
    }

    @Test func listFiltersBySinceCameraAndLimitNewestFirst() async throws {
        let storage = try RecordedStorage()
        defer { storage.remove() }
        let ids = storage.ids.map(Int.init)
        let all = try await list(storage, [])
        #expect(all.map { $0["id"] as? Int } == ids.reversed())
        let first = try #require(all.last)
        #expect(first["camera"] as? String == "front")
        #expect(first["start"] as? String == "2025-03-01T18:00:00.000Z")
        #expect(first["end"] as? String == "2025-03-01T18:00:12.000Z")
        #expect(first["durationSeconds"] as? Double == 12)
        #expect(first["triggers"] as? [String] == ["pir", "camera-motion"])
        #expect(first["frames"] as? Int == 120 && first["bytes"] as? Int == 126_456)
        #expect(first["state"] as? String == "finished")
        #expect(all.first?["state"] as? String == "recording" && all.first?["end"] == nil)

        #expect(try await list(storage, ["--camera", "front"]).map { $0["id"] as? Int } == [ids[2], ids[0]])
        #expect(try await list(storage, ["--limit", "1"]).map { $0["id"] as? Int } == [ids[2]])
        #expect(try await list(storage, ["--since", "30m"]).map { $0["id"] as? Int } == [ids[2]])
        #expect(try await list(storage, ["--since", "2025-03-01T18:30:00Z"]).map { $0["id"] as? Int } == [ids[2], ids[1]])
        #expect(try await list(storage, ["--since", "2025-03-01T19:00:00.000+01:00"]).count == 3)
        #expect(try await list(storage, ["--camera", "side"]).isEmpty)
    }

    @Test func listPrintsATableAndFindsTheRootInVIGIL_STORAGE() async throws {
        let storage = try RecordedStorage()
        defer { storage.remove() }
        let result = try await VigilProcess.run(["events", "list"], environment: ["VIGIL_STORAGE": storage.root])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true)
            == ["ID", "CAMERA", "START", "END", "DURATION", "TRIGGERS", "FRAMES", "SIZE", "STATE"])
        let back = lines[2].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(back.first == String(storage.ids[1]) && back[1] == "back")
        #expect(back.contains("6m5s") && back.contains("software-motion") && back.contains("1825") && back.contains("241.1"))
        #expect(lines[3].contains("12.0s") && lines[3].contains("pir,camera-motion") && lines[3].contains("finished"))
        #expect(lines[1].contains("recording") && lines[1].contains("manual"))

        let none = try await VigilProcess.run(["events", "list", "--storage", storage.root, "--camera", "side"])
        #expect(none.status == 0 && none.output.hasPrefix("no events for camera side in \(storage.layout.indexPath)"))
    }

    @Test func showGivesTheEventWithItsMoviesAndSnapshot() async throws {
        let storage = try RecordedStorage()
        defer { storage.remove() }
        let result = try await VigilProcess.run(["events", "show", String(storage.ids[1]), "--storage", storage.root, "--json"])
        #expect(result.status == 0, "\(result.error)")
        let detail = try #require(try json(result.output) as? [String: Any])
        let movies = try #require(detail["movies"] as? [[String: Any]])
        #expect(movies.map { $0["frames"] as? Int } == [1500, 325])
        #expect(movies.allSatisfy { $0["finished"] as? Bool == true && $0["file"] as? String == $0["path"] as? String })
        #expect((detail["event"] as? [String: Any])?["camera"] as? String == "back")

        let text = try await VigilProcess.run(["events", "show", String(storage.ids[0]), "--storage", storage.root])
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.hasPrefix("event \(storage.ids[0]): camera front, finished"))
        let snapshot = try storage.layout.snapshotPath(camera: "front", start: RecordedStorage.t0)
        #expect(text.output.contains("snapshot:  \(snapshot)\n"))
        #expect(text.output.contains(try storage.layout.moviePath(camera: "front", start: RecordedStorage.t0)))

        let recording = try await VigilProcess.run(["events", "show", String(storage.ids[2]), "--storage", storage.root, "--json"])
        let partial = try #require(try json(recording.output) as? [String: Any])
        let file = try #require((partial["movies"] as? [[String: Any]])?.first?["file"] as? String)
        #expect(file.hasSuffix(".mkv.partial"))

        let missing = try await VigilProcess.run(["events", "show", "999", "--storage", storage.root])
        #expect(missing.status == 1)
        #expect(missing.error.contains("no event 999 in the index at \(storage.layout.indexPath)"))
    }

    @Test func exportCopiesEveryFileIntact() async throws {
        let storage = try RecordedStorage()
        defer { storage.remove() }
        let target = storage.root + "-export/nested"
        defer { try? FileManager.default.removeItem(atPath: storage.root + "-export") }
        let result = try await VigilProcess.run(["events", "export", String(storage.ids[0]), "--to", target, "--storage", storage.root, "--json"])
        #expect(result.status == 0, "\(result.error)")
        let report = try #require(try json(result.output) as? [String: Any])
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.count == 2)
        for file in files {
            let source = try #require(file["source"] as? String), copy = try #require(file["target"] as? String)
            #expect(copy == target + "/" + (source as NSString).lastPathComponent)
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy))) == storage.files[source])
            #expect(file["bytes"] as? Int == storage.files[source]?.count)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted()
            == files.compactMap { ($0["target"] as? String).map { ($0 as NSString).lastPathComponent } }.sorted())

        // Again, in text: the copies are replaced, nothing else appears.
        let again = try await VigilProcess.run(["events", "export", String(storage.ids[0]), "--to", target, "--storage", storage.root])
        #expect(again.status == 0, "\(again.error)")
        #expect(again.output.hasPrefix("exported event \(storage.ids[0]) (front, "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).count == 2)
    }

    @Test func exportFailsClearlyAndCopiesNothingWhenAFileIsMissingOrTheTargetIsBad() async throws {
        let storage = try RecordedStorage()
        defer { storage.remove() }
        let target = storage.root + "-export"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let gone = try storage.layout.moviePath(camera: "back", start: RecordedStorage.t0 + 3900)
        try FileManager.default.removeItem(atPath: gone)
        let missing = try await VigilProcess.run(["events", "export", String(storage.ids[1]), "--to", target, "--storage", storage.root])
        #expect(missing.status == 1)
        #expect(missing.error.contains("missing \(gone); nothing was copied"))
        #expect(!FileManager.default.fileExists(atPath: target))

        let noEvent = try await VigilProcess.run(["events", "export", "999", "--to", target, "--storage", storage.root])
        #expect(noEvent.status == 1 && noEvent.error.contains("no event 999"))

        let file = storage.root + "/plain-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let notDirectory = try await VigilProcess.run(["events", "export", String(storage.ids[0]), "--to", file, "--storage", storage.root])
        #expect(notDirectory.status == 1 && notDirectory.error.contains("cannot export to \(file): it is not a directory"))
        let under = try await VigilProcess.run(["events", "export", String(storage.ids[0]), "--to", file + "/sub", "--storage", storage.root])
        #expect(under.status == 1 && under.error.contains("cannot create the directory \(file)/sub"))
    }

    @Test func exportRefusesAFileThatIsASymbolicLinkOutOfTheStorageRoot() async throws {
        let storage = try RecordedStorage()
        defer { storage.remove() }
        let target = storage.root + "-export"
        let secret = storage.root + "-secret"
        defer { try? FileManager.default.removeItem(atPath: target); try? FileManager.default.removeItem(atPath: secret) }
        try Data("not for export".utf8).write(to: URL(fileURLWithPath: secret))
        let snapshot = try storage.layout.snapshotPath(camera: "front", start: RecordedStorage.t0)
        try FileManager.default.removeItem(atPath: snapshot)
        try FileManager.default.createSymbolicLink(atPath: snapshot, withDestinationPath: secret)
        let result = try await VigilProcess.run(["events", "export", String(storage.ids[0]), "--to", target, "--storage", storage.root])
        #expect(result.status == 1)
        #expect(result.error.contains("\(snapshot) leads out of the storage root \(storage.root)"), "\(result.error)")
        #expect(result.error.contains("nothing was copied"))
        #expect(!FileManager.default.fileExists(atPath: target))

        // A link that stays inside the root is followed.
        try FileManager.default.removeItem(atPath: snapshot)
        let inside = storage.root + "/front/kept.jpg"
        try Data("inside".utf8).write(to: URL(fileURLWithPath: inside))
        try FileManager.default.createSymbolicLink(atPath: snapshot, withDestinationPath: inside)
        let followed = try await VigilProcess.run(["events", "export", String(storage.ids[0]), "--to", target, "--storage", storage.root])
        #expect(followed.status == 0, "\(followed.error)")
    }

    @Test func withoutAnIndexEveryCommandNamesTheRootAndHowToChooseAnother() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-empty-\(UUID().uuidString)").path
        for arguments in [["list"], ["show", "1"], ["export", "1", "--to", empty + "/out"], ["list", "--json"]] {
            let result = try await VigilProcess.run(["events"] + arguments + ["--storage", empty])
            #expect(result.status == 1)
            #expect(result.error.contains("no event index at \(empty)/index.sqlite"))
            #expect(result.error.contains("--storage DIR or VIGIL_STORAGE"))
            #expect(!result.error.contains("Fatal") && !result.error.contains("Stack"))
            #expect(result.output.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: empty))
    }

    @Test func badArgumentsAreRefused() async throws {
        for arguments in [["list", "--since", "last tuesday"], ["list", "--limit", "-1"], ["show", "twelve"], ["export", "1"]] {
            let result = try await VigilProcess.run(["events"] + arguments + ["--storage", "/nonexistent"])
            #expect(result.status == 64, "\(arguments): \(result.error)")
        }
    }

    @Test func theStorageRootFollowsTheOptionTheEnvironmentAndTheUser() {
        let home = "/home/ann"
        #expect(StorageOptions.resolveRoot(option: "/srv/cams", environment: ["VIGIL_STORAGE": "/x"], isRoot: true, home: home) == "/srv/cams")
        #expect(StorageOptions.resolveRoot(option: nil, environment: ["VIGIL_STORAGE": "/x"], isRoot: true, home: home) == "/x")
        #expect(StorageOptions.resolveRoot(option: nil, environment: ["VIGIL_STORAGE": ""], isRoot: true, home: home) == "/var/lib/vigil")
        #expect(StorageOptions.resolveRoot(option: nil, environment: [:], isRoot: false, home: home) == "/home/ann/.local/share/vigil")
        #expect(StorageOptions.resolveRoot(option: nil, environment: ["XDG_DATA_HOME": "/data/"], isRoot: false, home: home) == "/data/vigil")
        #expect(StorageOptions.resolveRoot(option: nil, environment: ["XDG_DATA_HOME": "data"], isRoot: false, home: home) == "/home/ann/.local/share/vigil")
    }

    @Test func sinceReadsDatesTimesAndDurationsBack() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2025-03-01T18:00:00Z"))
        #expect(SinceArgument.parse("2h", now: now) == now - 7200)
        #expect(SinceArgument.parse("90s", now: now) == now - 90)
        #expect(SinceArgument.parse("2025-03-01T17:00:00Z", now: now) == now - 3600)
        #expect(SinceArgument.parse("2025-03-01T17:00:00.500Z", now: now) == now - 3599.5)
        #expect(SinceArgument.parse("2025-03-01T19:00:00+02:00", now: now) == now - 3600)
        let local = DateComponents(calendar: .current, year: 2025, month: 3, day: 1, hour: 17, minute: 30).date
        #expect(SinceArgument.parse("2025-03-01T17:30", now: now) == local)
        #expect(SinceArgument.parse("2025-03-01 17:30", now: now) == local)
        #expect(SinceArgument.parse("2025-03-01", now: now) == DateComponents(calendar: .current, year: 2025, month: 3, day: 1).date)
        #expect(SinceArgument.parse("today", now: now) == Calendar.current.startOfDay(for: now))
        for bad in ["", "soon", "2025-13-01", "2025-03-01T25:00", "yesterday at noon", "3 weeks"] {
            #expect(SinceArgument.parse(bad, now: now) == nil, "\(bad)")
        }
    }
}
