import ArgumentParser
import HAL
import Node
import Recorder

/// `vigil trigger`: starts a manual event on the running recorder.
struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Start a manual event on the running recorder.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var storage: StorageOptions

    @Option(help: "The camera to trigger (default: every camera).")
    var camera: String?

    @Option(name: .customLong("for"), help: "How long the manual activity lasts (10s, 2m); post-capture follows it.", transform: DurationArgument.parse)
    var length: DurationArgument?

    func run() async throws {
        let socket = storage.layout.socketPath
        let response: ControlResponse
        do {
            response = try ControlClient.send(
                ControlRequest(command: .trigger, camera: camera, seconds: length.map { $0.duration.seconds }), to: socket)
        } catch where error.kind == .notFound {
            throw CLIError("no recorder is running on \(storage.root()) (no answer at \(socket)); start one with 'vigil record'")
        } catch {
            throw CLIError("cannot reach the recorder at \(socket): \(error)")
        }
        guard response.ok else { throw CLIError(response.error ?? "the recorder refused the trigger") }
        if options.json { return try Output.json(response) }
        print("triggered \((response.triggered ?? []).joined(separator: ", "))")
    }
}
