import EventStore
import Foundation
import HAL
import Node
import Recorder
import TestSupport
import Testing

extension HIL {
    /// Why `vigil record` cannot be run end to end on the target; nil if it can.
    static var recorderUnavailable: String? {
        if let reason = inputsUnavailable ?? cameraUnavailable { return reason }
        if probe.value is SimulatedTarget {
            return "on the sim target the recorder would simulate a board of its own in its own process, "
                + "out of this test's reach; VigilCLITests' RecordTests cover it"
        }
        return nil
    }

    /// The `vigil` executable built beside this test binary.
    static var vigil: String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("vigil").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return "vigil"
    }
}

extension HardwareInTheLoop {
    /// The whole node: `vigil record` on the target's real GPIO and UART.
    @Suite("Recorder")
    struct RecorderTests {
        @Test("vigil record end to end: a PIR edge driven from outside becomes a playable movie",
              .needs(HIL.recorderUnavailable))
        func recordEndToEnd() async throws {
            let target = try HIL.target()
            let root = NSTemporaryDirectory() + "vigil-hil-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: root) }
            // Only the PIR line may start an event: the camera's and software motion are off.
            let config = root + "/vigil.yaml"
            try """
                cameras: [{ name: hil, size: 160x120 }]
                events: { pre-capture: 1s, post-capture: 2s, event-gap: 3s }
                triggers: { camera-motion: false, motion: false, tamper: false }
                """.write(toFile: config, atomically: true, encoding: .utf8)
            try await target.drive(.pir, high: false)

            let recorder = try Subprocess(
                HIL.vigil, ["record", "--board", target.board.name, "--config", config, "--storage", root, "--duration", "120s"],
                environment: ["VIGIL_BOARDS": HIL.boardsDirectory], outputPath: root + "/record.log")
            var exited = false
            defer {
                if !exited {
                    recorder.send(SIGKILL)
                    _ = recorder.wait()
                }
            }

            let socket = StorageLayout(root: root).socketPath
            try await waitUntil("the recorder to connect to the camera: \(recorder.output)", within: .seconds(60), every: .milliseconds(200)) {
                try await recorderStatus(socket)?.cameras.first?.connected == true
            }

            // The PIR held high for 4 s on the real line: the test's input, not a wait.
            try await target.drive(.pir, high: true)
            try await Task.sleep(for: .seconds(4))
            try await target.drive(.pir, high: false)
            try await waitUntil("an event to end: \(recorder.output)", within: .seconds(60), every: .milliseconds(200)) {
                try await recorderStatus(socket)?.cameras.first?.lastEvent != nil
            }
            recorder.send(SIGTERM)
            let status = try await onThreadOfItsOwn { recorder.wait() }
            exited = true
            #expect(status == 0, "\(recorder.output)")

            let index = try EventIndex(path: StorageLayout(root: root).indexPath, readOnly: true)
            let events = try index.events()
            #expect(events.count == 1, "\(events)")
            let event = try #require(events.first)
            #expect(event.triggers == ["pir"])
            #expect(event.state == .finished)
            let movies = try index.movies(eventID: event.id)
            #expect(movies.count == 1)
            for movie in movies {
                let probe = try Tool.probe(movie.path)
                #expect(probe.codec == "mjpeg" && probe.frames == movie.frames && movie.frames > 0, "\(movie)")
                let decode = try Tool.run(Tool.ffmpeg, ["-v", "error", "-i", movie.path, "-f", "null", "-"])
                #expect(decode.status == 0 && decode.error.isEmpty, "\(decode.error)")
                // The PIR's 4 s and 2 s of post-capture, less up to one frame period (frames take
                // seconds in a guest under software emulation, with the camera at half speed).
                let seconds = (event.end ?? event.start).timeIntervalSince(event.start)
                #expect(seconds > 1 && seconds < 8, "the event lasted \(seconds) s")
            }
        }

        /// The running recorder's status over its socket; nil until the socket answers.
        func recorderStatus(_ socket: String) async throws -> RecorderStatus? {
            try await onThreadOfItsOwn { try? ControlClient.send(ControlRequest(command: .status), to: socket).status }
        }
    }
}
