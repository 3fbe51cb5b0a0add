import EventStore
import Foundation
import HALSimulation
import HAL
import Node
import Recorder
import TestSupport
import Testing

/// `vigil record`, `status` and `trigger` as a user runs them, on the simulated board.
@Suite(.serialized) struct RecordTests {
    static func temporaryRoot() -> String {
        let root = NSTemporaryDirectory() + "vigil-record-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    /// Finished movies (not `.partial`) under `root`.
    static func movies(under root: String) -> [String] {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".mkv") }.map { root + "/" + $0 }.sorted()
    }

    @Test func recordWritesPlayableMoviesAndSaysWhere() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try await VigilProcess.run([
            "record", "--board", "sim", "--speed", "100", "--duration", "4m", "--size", "160x120", "--storage", root,
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("Recording camera to \(root)"))
        let printed = result.output.split(separator: "\n").filter { $0.hasPrefix("  /") }
            .map { String($0.dropFirst(2).split(separator: " ").first ?? "") }
        #expect(!printed.isEmpty, "no movie listed: \(result.output)")
        #expect(printed == Self.movies(under: root))
        for movie in printed {
            let probe = try Tool.probe(movie)
            #expect(probe.codec == "mjpeg" && (probe.frames ?? 0) > 0, "\(movie)")
        }
        let index = try EventIndex(path: StorageLayout(root: root).indexPath, readOnly: true)
        let events = try index.events()
        #expect(!events.isEmpty && events.allSatisfy { $0.state == .finished })
    }

    @Test func statusComesFromTheRunningRecorderThenFromTheIndex() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorder = try RunningVigil(["record", "--board", "sim", "--speed", "20", "--size", "160x120", "--storage", root])
        let first = await recorder.nextLine()
        #expect(first?.hasPrefix("Recording camera") == true, "\(first ?? "nothing")")
        let socket = StorageLayout(root: root).socketPath
        // Status from the running recorder, over its socket, while it records.
        var live: RecorderStatus?
        var slowest = Duration.zero
        try await waitUntil("the running recorder to report its camera connected", within: .seconds(10), every: .milliseconds(100)) {
            let start = ContinuousClock.now
            let response = try await onThreadOfItsOwn { try ControlClient.send(ControlRequest(command: .status), to: socket) }
            slowest = max(slowest, ContinuousClock.now - start)
            live = response.status
            return live?.cameras.first?.connected == true
        }
        print("vigil status over the control socket: slowest answer \(slowest) while recording")
        #expect(live?.source == "recorder")
        #expect(live?.cameras.first?.connected == true)
        #expect(live?.cameras.first?.model == "vc0706")
        #expect(live?.gpio["pir"] != nil)

        // A manual trigger opens an event at once.
        let triggered = try await VigilProcess.run(["trigger", "--storage", root, "--for", "20s"])
        #expect(triggered.status == 0, "\(triggered.error)")
        #expect(triggered.output.contains("triggered camera"))
        try await waitUntil("a manual event in vigil status", within: .seconds(20), every: .milliseconds(100)) {
            let status = try await VigilProcess.run(["status", "--json", "--storage", root])
            let decoded = try JSONDecoder.iso8601.decode(RecorderStatus.self, from: Data(status.output.utf8))
            return decoded.cameras.first?.currentEvent?.triggers.contains("manual") == true
        }
        let during = try await VigilProcess.run(["status", "--json", "--storage", root])
        let shown = try JSONDecoder.iso8601.decode(RecorderStatus.self, from: Data(during.output.utf8))
        #expect(shown.statusLED == "recording", "the status LED shows \(shown.statusLED ?? "nothing")")
        #expect(shown.gpio["status-led"] == true)
        #expect(shown.gpio["ir-led"] != nil)

        // SIGTERM finishes the open movie: no partial file is left.
        #expect(await recorder.stop() == 0)
        let partials = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".partial") }
        #expect(partials.isEmpty, "\(partials)")
        #expect(!FileManager.default.fileExists(atPath: socket))

        let after = try await VigilProcess.run(["status", "--json", "--storage", root])
        #expect(after.status == 0, "\(after.error)")
        let fromIndex = try JSONDecoder.iso8601.decode(RecorderStatus.self, from: Data(after.output.utf8))
        #expect(fromIndex.source == "index")
        #expect(fromIndex.cameras.first?.lastEvent?.triggers.contains("manual") == true)
        let text = try await VigilProcess.run(["status", "--storage", root])
        #expect(text.output.contains("No recorder is running"))
    }

    @Test func triggerAndStatusWithoutARecorderSayWhatToDo() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let trigger = try await VigilProcess.run(["trigger", "--storage", root])
        #expect(trigger.status != 0)
        #expect(trigger.error.contains("no recorder is running on \(root)"))
        let status = try await VigilProcess.run(["status", "--storage", root])
        #expect(status.status != 0)
        #expect(status.error.contains("no event index"))
        #expect(!status.error.contains("Fatal"))
    }

    @Test func aSecondRecorderOnTheSameStorageIsRefused() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try RunningVigil(["record", "--board", "sim", "--speed", "20", "--size", "160x120", "--storage", root])
        _ = await first.nextLine()
        let second = try await VigilProcess.run(["record", "--board", "sim", "--duration", "1s", "--storage", root])
        #expect(second.status != 0)
        #expect(second.error.contains("already running"), "\(second.error)")
        #expect(await first.stop() == 0)
    }

    /// SIGKILL at random moments, 20 times: every finished movie survives and plays, and the
    /// index agrees with the files after each restart.
    @Test func twentyKillsLoseNothingFinished() async throws {
        let root = Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var random = SeededRandom(seed: 20)
        var finished: Set<String> = []
        for kill in 0..<20 {
            let recorder = try RunningVigil(["record", "--board", "sim", "--speed", "60", "--size", "160x120", "--storage", root])
            _ = await recorder.nextLine()
            // The kill's moment is the test's input, on the process's real time: not a wait.
            try await Task.sleep(for: .milliseconds(Int64(500 + random.next() % 2500)))
            await recorder.kill()
            let movies = Set(Self.movies(under: root))
            #expect(finished.isSubset(of: movies), "kill \(kill) lost \(finished.subtracting(movies))")
            finished = movies
        }
        // A clean last run reconciles what the last kill left.
        let last = try await VigilProcess.run(["record", "--board", "sim", "--duration", "1s", "--storage", root])
        #expect(last.status == 0, "\(last.error)")
        let layout = StorageLayout(root: root)
        let index = try EventIndex(path: layout.indexPath, readOnly: true)
        var indexed: Set<String> = []
        for event in try index.events() {
            #expect(event.state != .recording, "event \(event.id) still recording")
            for movie in try index.movies(eventID: event.id) {
                indexed.insert(movie.path)
                #expect(movie.finished, "\(movie.path)")
            }
        }
        let files = Set(Self.movies(under: root))
        #expect(finished.isSubset(of: files))
        #expect(indexed == files, "rows without files: \(indexed.subtracting(files)); files without rows: \(files.subtracting(indexed))")
        #expect(files.count >= 10, "only \(files.count) movies in 20 runs")
        for movie in files.sorted() {
            // The movies state a nominal 100 fps, so ffmpeg's tick is finer than the frames' spacing.
            let decode = try Tool.run(Tool.ffmpeg, ["-v", "error", "-i", movie, "-f", "null", "-"])
            #expect(decode.status == 0 && decode.error.isEmpty, "\(movie): \(decode.error)")
        }
    }
}

/// `vigil record` under systemd (`Type=notify`, `WatchdogSec=`): ready once recording, fed
/// watchdog, stopping at the end.
@Test func recordTellsSystemdItIsReadyFeedsTheWatchdogAndSaysWhenItStops() async throws {
    let root = RecordTests.temporaryRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let socket = try NotifySocket(root + "/notify")
    let result = try await VigilProcess.run(
        ["record", "--board", "sim", "--speed", "5", "--duration", "10s", "--size", "160x120", "--storage", root],
        environment: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "1000000"])
    #expect(result.status == 0, "\(result.error)")
    var messages: [String] = []
    while let message = socket.receive() { messages.append(message.trimmingCharacters(in: .newlines)) }
    #expect(messages.first?.hasPrefix("READY=1\n") == true, "\(messages)")
    #expect(messages.first?.contains("STATUS=recording 1 camera") == true)
    // Nothing reads the socket meanwhile, and the kernel queues ten datagrams at most.
    #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 1, "\(messages)")
    #expect(messages.last == "STOPPING=1")
}

extension JSONDecoder {
    static let iso8601: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// SIGHUP reads the configuration again: a changed camera is restarted with its new settings;
/// a configuration with mistakes is refused and the running one kept.
@Test func recordReloadsItsConfigurationOnSIGHUP() async throws {
    let root = RecordTests.temporaryRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let config = root + "/vigil.yaml"
    func write(_ text: String) throws { try text.write(toFile: config, atomically: true, encoding: .utf8) }
    try write("cameras:\n  - name: yard\n    size: 160x120\n")
    let recorder = try RunningVigil(["record", "--board", "sim", "--speed", "20", "--config", config, "--storage", root + "/storage"])
    let first = await recorder.nextLine()
    #expect(first?.hasPrefix("Recording yard") == true, "\(first ?? "nothing")")
    func width() async throws -> Int? {
        let status = try await VigilProcess.run(["status", "--json", "--storage", root + "/storage"])
        let decoded = try JSONDecoder.iso8601.decode(RecorderStatus.self, from: Data(status.output.utf8))
        return decoded.source == "recorder" && decoded.cameras.first?.connected == true ? decoded.cameras.first?.width : nil
    }
    try await waitUntil("the camera connected at 160x120", within: .seconds(20), every: .milliseconds(100)) { try await width() == 160 }

    try write("cameras:\n  - name: yard\n    size: 320x240\n")
    kill(recorder.process.processIdentifier, SIGHUP)
    try await waitUntil("the camera restarted at 320x240", within: .seconds(20), every: .milliseconds(100)) { try await width() == 320 }

    try write("cameras:\n  - name: yard\n    size: enormous\n")
    kill(recorder.process.processIdentifier, SIGHUP)
    try await Task.sleep(for: .milliseconds(500))  // the reload's input, not a wait for a result
    #expect(recorder.process.isRunning)
    #expect(try await width() == 320, "a configuration with mistakes is refused, the running one kept")
    #expect(await recorder.stop() == 0)
}
