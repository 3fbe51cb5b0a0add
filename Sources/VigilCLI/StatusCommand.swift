import ArgumentParser
import EventStore
import Files
import Foundation
import HAL
import Node
import Recorder

/// `vigil status`: what the recorder is doing, or what the index says when none runs.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running recorder's state, or the last recorded state when none runs.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let layout = storage.layout
        let status: RecorderStatus
        do {
            let response = try ControlClient.send(ControlRequest(command: .status), to: layout.socketPath)
            guard response.ok, let live = response.status else {
                throw CLIError("the recorder refused the status request: \(response.error ?? "no reason given")")
            }
            status = live
        } catch let error as HALError where error.kind == .notFound {
            status = try Self.fromIndex(storage.openIndex(), layout: layout)
        }
        if options.json { return try Output.json(status) }
        Self.show(status)
    }

    /// The status as the index records it: camera health, last events, storage.
    static func fromIndex(_ index: EventIndex, layout: StorageLayout) throws -> RecorderStatus {
        var status = RecorderStatus()
        status.source = "index"
        let events = try index.events()
        for health in try index.health() {
            var camera = RecorderStatus.CameraStatus(name: health.camera)
            camera.state = .stopped
            camera.connected = false
            camera.errors = health.errors
            camera.reconnects = health.reconnects
            camera.lastError = health.lastError
            camera.lastFrame = health.lastFrame
            camera.lastEvent = events.filter { $0.camera == health.camera }.max { $0.start < $1.start }.map { RecorderStatus.EventSummary($0) }
            status.cameras.append(camera)
        }
        status.storage = RecorderStatus.Storage(
            root: layout.root, usedBytes: try index.totalBytes(), freeBytes: try? FileSystem.freeSpace(at: layout.root),
            events: events.count)
        return status
    }

    static func show(_ status: RecorderStatus) {
        let time = ISO8601DateFormatter()
        if status.source == "index" {
            print("No recorder is running; last recorded state from the index:")
        } else {
            let uptime = status.uptimeSeconds.flatMap { Duration(checkedSeconds: $0.rounded())?.humanReadable } ?? "?"
            print("Recorder running (pid \(status.pid.map(String.init) ?? "?"), up \(uptime))")
        }
        for camera in status.cameras {
            var line = "camera \(camera.name): \(camera.state.rawValue)"
            if let model = camera.model, let baud = camera.baud, let width = camera.width, let height = camera.height {
                line += ", \(model) \(width)x\(height) at \(baud) baud on \(camera.port ?? "?")"
            }
            if status.source != "index" { line += String(format: ", %.2f frames/s, %d frames", camera.framesPerSecond, camera.frames) }
            line += ", \(camera.errors) errors, \(camera.reconnects) reconnects, \(camera.rereads) re-reads"
            print(line)
            if let event = camera.currentEvent {
                print("  recording event \(event.id) since \(time.string(from: event.start)) (\(event.triggers.joined(separator: ","))): \(event.frames) frames\(event.movie.map { " -> \($0)" } ?? "")")
            }
            if let event = camera.lastEvent {
                print("  last event \(event.id): \(time.string(from: event.start)) to \(event.end.map { time.string(from: $0) } ?? "?"), \(event.frames) frames, \(ByteCountFormatter.string(fromByteCount: event.bytes, countStyle: .file))")
            }
            if let error = camera.lastError { print("  last error: \(error)") }
        }
        if let storage = status.storage {
            let free = storage.freeBytes.map { ByteCountFormatter.string(fromByteCount: $0, countStyle: .file) } ?? "?"
            print("storage \(storage.root): \(storage.events) events, \(ByteCountFormatter.string(fromByteCount: storage.usedBytes, countStyle: .file)) used, \(free) free")
            if let fault = storage.fault { print("storage fault: \(fault)") }
        }
        if !status.gpio.isEmpty {
            print("gpio: " + status.gpio.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ? "active" : "inactive")" }.joined(separator: " "))
        }
        if let led = status.statusLED { print("status LED: \(led)") }
        if !status.recentErrors.isEmpty {
            print("recent errors:")
            for error in status.recentErrors.suffix(5) { print("  \(error)") }
        }
    }
}
