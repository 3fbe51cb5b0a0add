import Foundation

/// Runs libjpeg-turbo's `djpeg` on a JPEG stream: an independent decoder to check our output.
public enum Djpeg {
    public static let path = "/usr/bin/djpeg"
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }
    /// Why a test that needs djpeg is skipped when it is absent.
    public static let missing = "needs /usr/bin/djpeg: Tools/setup installs it (Debian package libjpeg-turbo-progs)"

    public struct Result: Sendable {
        public var status: Int32
        public var width: Int?
        public var height: Int?
        public var stderr: String
    }

    /// Decodes `jpeg` to PNM and reads the size from the PNM header.
    public static func decode(_ jpeg: [UInt8]) throws -> Result {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-djpeg-\(UUID().uuidString).jpg")
        try Data(jpeg).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-pnm", file.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let pnm = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // "P5\n640 480\n255\n" or "P6 ...": the magic, the width and the height are the first fields.
        let header = String(decoding: pnm.prefix(32), as: UTF8.self)
            .split(whereSeparator: { $0 == " " || $0 == "\n" })
        return Result(
            status: process.terminationStatus,
            width: header.count > 2 ? Int(header[1]) : nil,
            height: header.count > 2 ? Int(header[2]) : nil,
            stderr: String(decoding: message, as: UTF8.self))
    }
}
