@testable import CameraDrivers
import CameraProtocols
import Emulators
import HAL
import HALSimulation
import Scenes
import Testing

/// The driver against a cheap VC0706 clone that refuses every optional request: frames still
/// come, and each refusal is one warning naming the register and the value assumed.
@Suite struct VC0706MinimalCloneTests {
    static var clone: VC0706Emulator.Configuration {
        var configuration = VC0706Emulator.Configuration()
        configuration.minimalClone = true
        return configuration
    }

    @Test func connectAndSnapshotWorkWithOneWarningPerRefusedRegister() async throws {
        let (info, frame, served, again) = try await DriverBench(emulator: Self.clone).run { bench in
            let info = try await bench.camera.connect()
            let frame = try await bench.camera.snapshot()
            let served = try #require(bench.emulator.lastServedFrame)
            // Asking again repeats no warning.
            _ = try await bench.camera.connect()
            let again = try await bench.camera.info()
            return (info, frame, served, again)
        }
        #expect(frame.jpeg == served.jpeg)
        #expect(frame.jpeg == StillScene.jpeg(width: 640, height: 480))
        #expect(info.width == 640 && info.height == 480)
        #expect(info.compression == Int(VC0706.defaultCompression))
        #expect(info.baud == 115200)
        #expect(info.warnings == [
            "the camera refused reading the image size register (I2C EEPROM 0x0019): assuming the power-up default, 640x480, until a frame shows its size",
            "the camera refused reading the compression register (chip register 0x1204): assuming the libraries' default, 53",
        ])
        #expect(again.warnings == info.warnings)
    }

    @Test func configureAndMotionControlDegradeToWarnings() async throws {
        let (info, frame, served, warnings) = try await DriverBench(emulator: Self.clone).run { bench in
            _ = try await bench.camera.connect()
            try await bench.camera.configure(CameraSettings(width: 320, height: 240, compression: 0x50))
            try await bench.camera.setMotionDetection(true)
            let info = try await bench.camera.info()
            let frame = try await bench.camera.snapshot()
            return (info, frame, try #require(bench.emulator.lastServedFrame), bench.camera.warnings)
        }
        #expect(frame.jpeg == served.jpeg)
        #expect(info.width == 640 && info.height == 480)  // the clone kept its size
        #expect(warnings.count == 5)
        #expect(warnings.contains("the camera refused writing the image size register (I2C EEPROM 0x0019): frames keep the size they have"))
        #expect(warnings.contains("the camera refused writing the compression register (chip register 0x1204): compression stays as it is (taken to be 53)"))
        #expect(warnings.contains { $0.hasPrefix("the camera refused motion control (COMM_MOTION_CTRL): ") })
        #expect(info.warnings == warnings)
    }

    @Test func framesGiveTheSizeTheRegisterCouldNotTell() async throws {
        var clone = Self.clone
        clone.initialSize = .qqvga
        let (connected, frame, served, after) = try await DriverBench(scene: SyntheticScene(seed: 3), emulator: clone).run { bench in
            let connected = try await bench.camera.connect()
            let frame = try await bench.camera.snapshot()
            return (connected, frame, try #require(bench.emulator.lastServedFrame), try await bench.camera.info())
        }
        #expect(connected.width == 640 && connected.height == 480)  // assumed until a frame came
        #expect(frame.jpeg == served.jpeg)
        #expect(frame.width == 160 && frame.height == 120)
        #expect(after.width == 160 && after.height == 120)
    }

    @Test func aFullModuleGivesNoWarnings() async throws {
        let info = try await DriverBench().run { bench in
            _ = try await bench.camera.connect()
            try await bench.camera.configure(CameraSettings(width: 320, height: 240, compression: 0x50))
            try await bench.camera.setMotionDetection(true)
            return try await bench.camera.info()
        }
        #expect(info.warnings.isEmpty)
        #expect(info.width == 320)
    }
}

@Suite struct FrameDimensionsTests {
    @Test func theStartOfFrameHeaderGivesTheSize() throws {
        let jpeg = try SyntheticScene(seed: 1).frame(at: .zero, width: 320, height: 240, quality: 75).jpeg
        let size = try #require(FrameCheck.dimensions(jpeg))
        #expect(size.width == 320 && size.height == 240)
    }

    @Test func framesWithoutAHeaderOrCutShortGiveNone() {
        #expect(FrameCheck.dimensions(StillScene.jpeg(width: 64, height: 48)) == nil)
        #expect(FrameCheck.dimensions([0xFF, 0xD8, 0xFF, 0xD9]) == nil)
        // APP0 claiming more bytes than there are.
        #expect(FrameCheck.dimensions([0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0xFF, 0xD9]) == nil)
        // SOF0 with a zero height (to come in a DNL segment): no size.
        #expect(FrameCheck.dimensions([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x00, 0x01, 0x40, 0x01, 0xFF, 0xD9]) == nil)
        let sized = FrameCheck.dimensions([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0xF0, 0x01, 0x40, 0x01, 0xFF, 0xD9])
        #expect(sized?.width == 320 && sized?.height == 240)
    }
}
