import Foundation
import Testing

/// `vigil emulate` in a process of its own, driven by software that is not ours.
@Suite struct EmulateTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".build-python/bin/python").path
    static let host = root.appendingPathComponent("Tools/hosts/vc0706_host.py").path

    @Test func aPyserialHostResetsReadsTheVersionAndGetsIdenticalFramesChunkedAndWhole() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "no pyserial environment at \(Self.python): run Tools/setup")
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cam-\(UUID().uuidString)").path
        let emulator = try RunningVigil(["emulate", "--camera", "vc0706", "--scene", "street", "--seed", "5", "--size", "320x240", "--link", link])
        let path = try #require(await emulator.nextLine())
        #expect(path.hasPrefix("/dev/pts/"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == path)

        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-host-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        // Through the stable link, at 38400, as the libraries do.
        let result = try await runProgram(Self.python, [Self.host, link, output.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("ok "))
        let whole = try [UInt8](Data(contentsOf: output.appendingPathComponent("whole.jpg")))
        let chunked = try [UInt8](Data(contentsOf: output.appendingPathComponent("chunked.jpg")))
        #expect(whole == chunked)
        let djpeg = try await runProgram("/usr/bin/djpeg", [output.appendingPathComponent("whole.jpg").path])
        #expect(djpeg.status == 0)
        #expect(djpeg.output.hasPrefix("P6\n320 240\n"))

        #expect(await emulator.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: link))  // the link goes with the emulator
    }

    @Test func everyCameraGetsItsOwnPty() async throws {
        let emulator = try RunningVigil(["emulate", "--count", "3", "--json"])
        var paths: [String] = []
        for _ in 0..<3 {
            let line = try #require(await emulator.nextLine())
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            paths.append(try #require(object["path"] as? String))
        }
        #expect(Set(paths).count == 3)
        #expect(await emulator.stop() == 0)
    }

    @Test func snapshotOverAPtyWritesExactlyTheFrameTheEmulatorServed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-scene-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A frame from the simulated board becomes the whole scene of a replaying emulator.
        let served = directory.appendingPathComponent("frame.jpg")
        let first = try await VigilProcess.run(["snapshot", "--board", "sim", "-o", served.path, "--size", "320x240"])
        #expect(first.status == 0, "\(first.error)")
        let emulator = try RunningVigil(["emulate", "--scene", directory.path, "--size", "320x240", "--baud", "57600"])
        let path = try #require(await emulator.nextLine())
        // The emulator was left at 57600: probe finds it anyway.
        let probe = try await VigilProcess.run(["probe", "--port", path, "--camera", "vc0706", "--json"])
        #expect(probe.status == 0, "\(probe.error)")
        let info = try #require(try JSONSerialization.jsonObject(with: Data(probe.output.utf8)) as? [String: Any])
        #expect(info["model"] as? String == "vc0706")
        #expect(info["version"] as? String == "VC0703 1.00")
        let copy = directory.appendingPathComponent("copy.jpg")
        let snapshot = try await VigilProcess.run(["snapshot", "--port", path, "--camera", "vc0706", "-o", copy.path, "--json"])
        #expect(snapshot.status == 0, "\(snapshot.error)")
        #expect(try Data(contentsOf: copy) == Data(contentsOf: served))
        #expect(await emulator.stop() == 0)
    }

    @Test func aMinimalCloneStillGivesTheFrameItServedWithAWarningPerRefusedRegister() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-clone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let served = directory.appendingPathComponent("frame.jpg")
        let first = try await VigilProcess.run(["snapshot", "--board", "sim", "-o", served.path])
        #expect(first.status == 0, "\(first.error)")
        let emulator = try RunningVigil(["emulate", "--scene", directory.path, "--minimal-clone"])
        let path = try #require(await emulator.nextLine())

        let probe = try await VigilProcess.run(["probe", "--port", path, "--camera", "vc0706"])
        #expect(probe.status == 0, "\(probe.error)")
        #expect(probe.output.hasPrefix("vc0706 on \(path)"), "\(probe.output)")
        let warnings = probe.error.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 2, "\(probe.error)")
        #expect(probe.error.contains("warning: the camera refused reading the image size register (I2C EEPROM 0x0019): assuming the power-up default, 640x480, until a frame shows its size"))
        #expect(probe.error.contains("warning: the camera refused reading the compression register (chip register 0x1204)"))

        let copy = directory.appendingPathComponent("copy.jpg")
        let snapshot = try await VigilProcess.run(["snapshot", "--port", path, "--camera", "vc0706", "-o", copy.path, "--json"])
        #expect(snapshot.status == 0, "\(snapshot.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(snapshot.output.utf8)) as? [String: Any])
        #expect((report["warnings"] as? [String])?.count == 2, "\(snapshot.output)")
        #expect(try Data(contentsOf: copy) == Data(contentsOf: served))
        #expect(await emulator.stop() == 0)

        let refused = try await VigilProcess.run(["emulate", "--camera", "ucam3", "--minimal-clone"])
        #expect(refused.status != 0)
        #expect(refused.error.contains("--minimal-clone is for the VC0706"), "\(refused.error)")
    }
}
