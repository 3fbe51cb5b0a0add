import Foundation
import Testing

/// The OV528 family through `vigil`: `vigil emulate --camera ucam3|ov528` on a pty in a process
/// of its own, and `vigil probe` and `vigil snapshot` from another, through the real termios
/// transport.
@Suite struct OV528CommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The wire time at 115200 of what a snapshot's transfer carries: GET PICTURE, its ACK and
    /// DATA, and each 512-byte package with the ACK that asks for it.
    static func wireTime(bytes: Int) -> Double {
        let packages = (bytes + 505) / 506
        return Double((6 * 3 + packages * 12 + bytes) * 10) / 115200
    }

    @Test func probeAndSnapshotTellAndTakeAUCAMIIIOnAPty() async throws {
        let emulator = try RunningVigil(["emulate", "--camera", "ucam3", "--scene", "street", "--seed", "3"])
        let path = try #require(await emulator.nextLine())
        #expect(path.hasPrefix("/dev/pts/"))

        // No --camera: probe tells the model.
        let probe = try await VigilProcess.run(["probe", "--port", path, "--json"])
        #expect(probe.status == 0, "\(probe.error)")
        let info = try json(probe.output)
        #expect(info["model"] as? String == "ucam3")
        #expect(info["version"] as? String == "uCAM-III")
        #expect(info["baud"] as? Int == 115200)
        let text = try await VigilProcess.run(["probe", "--port", path])
        #expect(text.output.hasPrefix("ucam3 on \(path) at 115200 baud"), "\(text.output)\(text.error)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ucam3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (size, named) in [("640x480", false), ("160x128", true)] {
            let file = directory.appendingPathComponent("\(size).jpg")
            var arguments = ["snapshot", "--port", path, "-o", file.path, "--size", size, "--json"]
            if named { arguments += ["--camera", "ucam3"] }
            let snapshot = try await VigilProcess.run(arguments)
            try #require(snapshot.status == 0, "\(snapshot.error)")
            let report = try json(snapshot.output)
            let djpeg = try await runProgram("/usr/bin/djpeg", [file.path])
            #expect(djpeg.status == 0)
            #expect(djpeg.output.hasPrefix("P6\n\(size.replacingOccurrences(of: "x", with: " "))\n"))
            let bytes = try #require(report["bytes"] as? Int)
            #expect(bytes == (try Data(contentsOf: file)).count)
            let seconds = try #require(report["seconds"] as? Double)
            print("uCAM-III over a pty, \(size): \(bytes) bytes in \(seconds) s, \(String(format: "%.1f", Self.wireTime(bytes: bytes) / seconds * 100))% of the wire-time bound")
        }
        // A size the uCAM-III does not have: a clear error.
        let wrong = try await VigilProcess.run(["snapshot", "--port", path, "--camera", "ucam3", "-o", directory.appendingPathComponent("x.jpg").path, "--size", "160x120"])
        #expect(wrong.status != 0)
        #expect(wrong.error.contains("no 160x120 mode"), "\(wrong.error)")
        #expect(await emulator.stop() == 0)
    }

    /// Figures, not a timed test: the fraction of the wire-time bound a snapshot achieves over
    /// a pty at 115200 with 512-byte packages, at each OV528 size.
    @Test func ov528SnapshotsOverAPtyAtEverySize() async throws {
        let emulator = try RunningVigil(["emulate", "--camera", "ov528", "--scene", "street"])
        let path = try #require(await emulator.nextLine())
        let probe = try await VigilProcess.run(["probe", "--port", path, "--json"])
        #expect(try json(probe.output)["model"] as? String == "ov528", "\(probe.error)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ov528-\(UUID().uuidString).jpg")
        defer { try? FileManager.default.removeItem(at: file) }
        for size in ["160x120", "320x240", "640x480"] {
            let snapshot = try await VigilProcess.run(["snapshot", "--port", path, "--camera", "ov528", "-o", file.path, "--size", size, "--json"])
            #expect(snapshot.status == 0, "\(snapshot.error)")
            let report = try json(snapshot.output)
            let bytes = try #require(report["bytes"] as? Int), seconds = try #require(report["seconds"] as? Double)
            #expect(report["width"] as? Int == Int(size.split(separator: "x")[0]))
            print("OV528 over a pty, \(size): \(bytes) bytes in \(seconds) s, \(String(format: "%.1f", Self.wireTime(bytes: bytes) / seconds * 100))% of the wire-time bound")
        }
        #expect(await emulator.stop() == 0)
    }

    @Test func theSimulatedBoardRunsWhicheverModelItsFileNames() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sim-ucam3-\(UUID().uuidString).jpg")
        defer { try? FileManager.default.removeItem(at: file) }
        let snapshot = try await VigilProcess.run(["snapshot", "--board", "sim-ucam3", "-o", file.path, "--size", "320x240", "--json"])
        #expect(snapshot.status == 0, "\(snapshot.error)")
        #expect(try json(snapshot.output)["width"] as? Int == 320)
        let djpeg = try await runProgram("/usr/bin/djpeg", [file.path])
        #expect(djpeg.output.hasPrefix("P6\n320 240\n"))
        let probe = try await VigilProcess.run(["probe", "--board", "sim-ucam3", "--json"])
        #expect(try json(probe.output)["model"] as? String == "ucam3", "\(probe.error)")
    }

    @Test func emulateRefusesOptionsTheModelHasNot() async throws {
        let size = try await VigilProcess.run(["emulate", "--camera", "ov528", "--size", "320x240"])
        #expect(size.status != 0)
        #expect(size.error.contains("--size is for the VC0706"))
        let baud = try await VigilProcess.run(["emulate", "--camera", "ucam3", "--baud", "12345"])
        #expect(baud.status != 0)
        #expect(baud.error.contains("--baud 12345"))
        let model = try await VigilProcess.run(["emulate", "--camera", "ov7670"])
        #expect(model.status != 0)
    }
}
