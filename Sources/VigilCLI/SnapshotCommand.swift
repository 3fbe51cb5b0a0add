import ArgumentParser
import CameraDrivers
import Files
import Foundation
import HAL
import Node
import Recorder

/// `vigil snapshot`: one checked frame, written atomically.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Take one frame from the camera and write it as a JPEG.",
        discussion: """
            The frame is checked (length, JPEG markers, a full decode) before it is written, \
            and written atomically: a temporary file, then a rename. A frame takes seconds over \
            serial: on a terminal a progress bar shows bytes, rate and time left.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var camera: CameraOptions

    @Option(name: .shortAndLong, help: "Where to write the JPEG (default: snapshot-TIME.jpg here).")
    var output: String?

    @Option(help: "Image size, such as 640x480, 320x240 or 160x120 (uCAM-III: 160x128; OV528: also 80x60) (default: as the camera is set).")
    var size: String?

    struct Report: Encodable {
        var file: String
        var width: Int
        var height: Int
        var bytes: Int
        var seconds: Double
        var baud: Int
        var lineRateFraction: Double
        var retries: Int
        /// What the camera refused and what was assumed instead.
        var warnings: [String]
    }

    func validate() throws {
        if let size, NodeConfiguration.frameSize(size) == nil { throw ValidationError("--size must be WIDTHxHEIGHT, such as 640x480") }
    }

    func run() async throws {
        let context = try NodeHardware(options: options)
        let target = output ?? "snapshot-\(Self.stamp()).jpg"
        let wanted = size.flatMap(NodeConfiguration.frameSize)
        let showProgress = isatty(STDERR_FILENO) == 1 && !options.json
        let report = try await context.withCamera(camera) { camera, connected in
            var info = connected
            if let wanted, wanted != (info.width, info.height) {
                try await camera.configure(CameraSettings(width: wanted.0, height: wanted.1))
                info = try await camera.info()
            }
            let progress = showProgress ? ProgressBar() : nil
            let frame = try await camera.snapshot { progress?.show($0) }
            progress?.finish()
            try Self.writeAtomically(frame.jpeg, to: target)
            let baud = info.baud
            let wire = SerialConfiguration(baudRate: baud).wireTime(forBytes: frame.jpeg.count).seconds
            return Report(
                file: target, width: info.width, height: info.height, bytes: frame.jpeg.count,
                seconds: frame.transferTime.seconds, baud: baud,
                lineRateFraction: frame.transferTime > .zero ? wire / frame.transferTime.seconds : 0, retries: frame.retries,
                warnings: info.warnings)
        }
        if options.json { return try Output.json(report) }
        Output.warnings(report.warnings)
        print("\(report.file): \(report.width)x\(report.height), \(report.bytes) bytes in \(String(format: "%.2f", report.seconds)) s at \(report.baud) baud (\(String(format: "%.1f", report.lineRateFraction * 100))% of line rate)")
    }

    /// Publishes `bytes` at `path` atomically and durably (``FileSystem/publish(_:to:)``).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        do {
            try FileSystem.publish(bytes, to: path)
        } catch {
            throw CLIError("cannot write \(path): \(error)")
        }
    }

    static func stamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// A one-line progress bar on standard error.
final class ProgressBar: Sendable {
    func show(_ progress: TransferProgress) {
        let fraction = progress.total > 0 ? Double(progress.bytes) / Double(progress.total) : 0
        let filled = Int(saturating: min(max(fraction, 0), 1) * 30)
        let left = progress.rate > 0 ? Double(progress.total - progress.bytes) / progress.rate : 0
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled) + "] "
            + "\(progress.bytes / 1024)/\(progress.total / 1024) KiB  \(Int(saturating: progress.rate / 1024 * 10) / 10) KiB/s  \(Int(saturating: left.rounded()))s left  "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}
