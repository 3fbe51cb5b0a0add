import CameraProtocols
import Foundation
import HAL
import JPEG
import Scenes
import Testing

@testable import Emulators

@Suite struct FrameDecodeTests {
    /// Reads one frozen frame at `size` through the protocol.
    func servedFrame(_ size: VC0706.ImageSize, scene: String) async throws -> [UInt8] {
        let bench = VC0706Bench(scene: try SceneCatalog.scene(named: scene, seed: 3))
        return try await bench.run { bench in
            _ = try await bench.exchange(.setImageSize(size), replyLength: 5)
            _ = try await bench.exchange(.reset(), replyLength: 5)
            _ = try await bench.readText(until: "Init end")
            try await bench.switchBaud(to: 115200)
            try await bench.clock.sleep(for: .seconds(30))  // something has happened in the scene
            _ = try await bench.exchange(.frameBufferControl(.stopCurrent), replyLength: 5)
            let lengthReply = try await bench.exchange(.getFrameBufferLength(), replyLength: 9)
            let length = lengthReply[5...].reduce(0) { $0 << 8 | Int($1) }
            let reply = try await bench.exchange(.readFrameBuffer(address: 0, length: UInt32(length)), replyLength: length + 10)
            return Array(reply[5..<(5 + length)])
        }
    }

    @Test(arguments: [VC0706.ImageSize.qqvga, .qvga, .vga], ["street", "night"])
    func everyServedFrameDecodesAtTheAdvertisedSize(size: VC0706.ImageSize, scene: String) async throws {
        let jpeg = try await servedFrame(size, scene: scene)
        let info = try JPEGCodec().info(jpeg)
        #expect(info.width == size.width && info.height == size.height)
        let image = try JPEGCodec().decode(jpeg, format: .gray)
        #expect(image.width == size.width && image.height == size.height)
        try Self.checkWithDjpeg(jpeg, width: size.width, height: size.height)
    }

    /// Decodes with Debian's `djpeg` (libjpeg-turbo-progs, installed by Tools/setup) and
    /// checks the PNM header's dimensions.
    static func checkWithDjpeg(_ jpeg: [UInt8], width: Int, height: Int) throws {
        let djpeg = "/usr/bin/djpeg"
        try #require(FileManager.default.isExecutableFile(atPath: djpeg), "djpeg is missing: run Tools/setup")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(UUID().uuidString).jpg")
        try Data(jpeg).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: djpeg)
        process.arguments = [file.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let pnm = output.fileHandleForReading.readDataToEndOfFile()
        let complaints = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(complaints.isEmpty, "djpeg: \(complaints)")
        let header = String(decoding: pnm.prefix(20), as: UTF8.self).split(whereSeparator: \.isWhitespace)
        #expect(header.count >= 3 && header[1] == "\(width)" && header[2] == "\(height)")
    }
}
