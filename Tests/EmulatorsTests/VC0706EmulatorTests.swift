import CameraProtocols
import HAL
import HALSimulation
import Testing

@testable import Emulators

@Suite struct VC0706EmulatorTests {
    func reply(_ command: VC0706.Command, _ data: [UInt8] = [], status: UInt8 = 0) -> [UInt8] {
        VC0706Reply(command: command.rawValue, status: status, data: data).encoded
    }

    @Test func powerUpPrintsTheBannerAt38400() async throws {
        let bench = VC0706Bench()
        let text = try await Simulation.run(clock: bench.clock) {
            try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask { await bench.camera.run(); return nil }
                group.addTask { try await bench.readText(until: "Init end") }
                defer { group.cancelAll() }
                return try await group.next()!!
            }
        }
        #expect(text == VC0706.bootBanner)
    }

    @Test func versionAnswersBothLengthForms() async throws {
        try await VC0706Bench().run { bench in
            let expected = [0x76, 0x00, 0x11, 0x00, 0x0B] + Array("VC0703 1.00".utf8)
            #expect(try await bench.exchange(.getVersion(), replyLength: 16) == expected)
            try await bench.send([0x56, 0x00, 0x11, 0x01, 0x00])
            #expect(try await bench.read(16) == expected)
        }
    }

    @Test func resetAnswersThenPrintsTheBannerAndAppliesPendingRegisters() async throws {
        try await VC0706Bench().run { bench in
            #expect(try await bench.exchange(.setImageSize(.qvga), replyLength: 5) == [0x76, 0x00, 0x31, 0x00, 0x00])
            // Not yet in force: still VGA.
            let vga = try await bench.exchange(.getFrameBufferLength(), replyLength: 9)
            #expect(bench.camera.state.withLock { $0.active.imageSize } == .vga)
            #expect(try await bench.exchange(.reset(), replyLength: 5) == [0x76, 0x00, 0x26, 0x00, 0x00])
            #expect(try await bench.readText(until: "Init end") == VC0706.bootBanner)
            let qvga = try await bench.exchange(.getFrameBufferLength(), replyLength: 9)
            #expect(bench.camera.state.withLock { $0.active.imageSize } == .qvga)
            #expect(qvga != vga)
            // The register reads back what was written.
            #expect(try await bench.exchange(.readData(.i2cEEPROM, address: VC0706.imageSizeAddress), replyLength: 6) == [0x76, 0x00, 0x30, 0x00, 0x01, 0x11])
        }
    }

    @Test func setPortAnswersAtTheOldBaudThenSwitches() async throws {
        try await VC0706Bench().run { bench in
            #expect(try await bench.exchange(.setPort(baud: 115200)!, replyLength: 5) == [0x76, 0x00, 0x24, 0x00, 0x00])
            // Still at 38400 on the host: the camera hears garbage and sends no valid reply.
            try await bench.send(VC0706Request.getVersion().encoded)
            let garbled = try await bench.readAny(for: .milliseconds(200))
            #expect(!garbled.starts(with: [0x76, 0x00, 0x11, 0x00]))
            // Host follows: everything is clean again.
            try await bench.host.reconfigure(SerialConfiguration(baudRate: 115200))
            #expect(try await bench.exchange(.getVersion(), replyLength: 16).prefix(5) == [0x76, 0x00, 0x11, 0x00, 0x0B])
            #expect(bench.camera.baud == 115200)
            // A reset puts the camera back at 38400.
            #expect(try await bench.exchange(.reset(), replyLength: 5) == [0x76, 0x00, 0x26, 0x00, 0x00])
            try await bench.host.reconfigure(SerialConfiguration(baudRate: 38400))
            _ = try await bench.readText(until: "Init end")
            #expect(try await bench.exchange(.getVersion(), replyLength: 16).prefix(2) == [0x76, 0x00])
        }
    }

    @Test func theDatasheet57600CodeIsAcceptedAndUnknownCodesAreRefused() async throws {
        try await VC0706Bench().run { bench in
            try await bench.send([0x56, 0x00, 0x24, 0x03, 0x01, 0x12, 0x34])
            #expect(try await bench.read(5) == [0x76, 0x00, 0x24, 0x03, 0x00])
            try await bench.send([0x56, 0x00, 0x24, 0x03, 0x01, 0x1C, 0x4C])
            #expect(try await bench.read(5) == [0x76, 0x00, 0x24, 0x00, 0x00])
            try await bench.camera.port.drain()
            #expect(bench.camera.baud == 57600)
        }
    }

    @Test func aFrozenFrameKeepsItsLengthAndBytesWhileTimePasses() async throws {
        try await VC0706Bench().run { bench in
            #expect(try await bench.exchange(.frameBufferControl(.stopCurrent), replyLength: 5) == [0x76, 0x00, 0x36, 0x00, 0x00])
            let lengthReply = try await bench.exchange(.getFrameBufferLength(), replyLength: 9)
            let length = lengthReply[5...].reduce(0) { $0 << 8 | Int($1) }
            var frames: [[UInt8]] = []
            for _ in 0..<2 {
                try await bench.send(VC0706Request.readFrameBuffer(address: 0, length: UInt32(length)).encoded)
                let all = try await bench.read(5 + length + 5)
                #expect(all.prefix(5) == [0x76, 0x00, 0x32, 0x00, 0x00])
                #expect(all.suffix(5) == [0x76, 0x00, 0x32, 0x00, 0x00])
                frames.append(Array(all[5..<(5 + length)]))
                try await bench.clock.sleep(for: .seconds(3))  // many frame periods
                #expect(try await bench.exchange(.getFrameBufferLength(), replyLength: 9) == lengthReply)
            }
            #expect(frames[0] == frames[1])
            #expect(frames[0].prefix(2) == [0xFF, 0xD8] && frames[0].suffix(2) == [0xFF, 0xD9])
            // Chunked reads of 32 bytes give the same frame.
            var chunked: [UInt8] = []
            var address = 0
            while address < length {
                let size = min(32, length - address)
                try await bench.send(VC0706Request.readFrameBuffer(address: UInt32(address), length: UInt32(size)).encoded)
                let piece = try await bench.read(5 + size + 5)
                chunked += piece[5..<(5 + size)]
                address += size
            }
            #expect(chunked == frames[0])
            // Resume: live frames again, which change.
            #expect(try await bench.exchange(.frameBufferControl(.resume), replyLength: 5) == [0x76, 0x00, 0x36, 0x00, 0x00])
            #expect(bench.camera.state.withLock { $0.frozen == nil })
        }
    }

    @Test func stopNextWaitsForTheNextFrameAndStepReleases() async throws {
        try await VC0706Bench().run { bench in
            let before = bench.clock.now
            #expect(try await bench.exchange(.frameBufferControl(.stopNext), replyLength: 5) == [0x76, 0x00, 0x36, 0x00, 0x00])
            let frozen = try #require(bench.camera.state.withLock { $0.frozen })
            #expect(frozen.time > before)
            #expect(try await bench.exchange(.frameBufferControl(.step), replyLength: 5) == [0x76, 0x00, 0x36, 0x00, 0x00])
            #expect(bench.camera.state.withLock { $0.frozen == nil })
        }
    }

    @Test func readFrameBufferHonoursTheDelayField() async throws {
        try await VC0706Bench().run { bench in
            try await bench.switchBaud(to: 115200)
            _ = try await bench.exchange(.frameBufferControl(.stopCurrent), replyLength: 5)
            var durations: [Double] = []
            for delay: UInt16 in [0, 0x0100] {  // 0 and 256 x 10 us = 2.56 ms, twice
                let start = bench.clock.now
                _ = try await bench.exchange(.readFrameBuffer(address: 0, length: 64, delay: delay), replyLength: 74)
                durations.append(bench.clock.now.seconds - start.seconds)
            }
            #expect(abs((durations[1] - durations[0]) - 0.00512) < 0.0002)
        }
    }

    @Test func malformedRequestsGetStatusCodesAndTheCameraStaysInSync() async throws {
        try await VC0706Bench().run { bench in
            // Wrong length byte.
            try await bench.send([0x56, 0x00, 0x36, 0x02, 0x00, 0x00])
            #expect(try await bench.read(5) == [0x76, 0x00, 0x36, 0x02, 0x00])
            // Unknown command.
            try await bench.send([0x56, 0x00, 0x99, 0x00])
            #expect(try await bench.read(5) == [0x76, 0x00, 0x99, 0x01, 0x00])
            // A bad argument.
            try await bench.send([0x56, 0x00, 0x36, 0x01, 0x07])
            #expect(try await bench.read(5) == [0x76, 0x00, 0x36, 0x03, 0x00])
            // OSD is not supported on real chips.
            try await bench.send([0x56, 0x00, 0x45, 0x03, 0x02, 0x00, 0x41])
            #expect(try await bench.read(5).prefix(3) == [0x76, 0x00, 0x45])
            // A truncated request, a pause, then a good one.
            try await bench.send([0x56, 0x00, 0x34, 0x01])
            try await bench.clock.sleep(for: .milliseconds(100))
            #expect(try await bench.exchange(.getVersion(), replyLength: 16).prefix(5) == [0x76, 0x00, 0x11, 0x00, 0x0B])
            // Nothing else is pending.
            #expect(try await bench.readAny(for: .milliseconds(200)).isEmpty)
        }
    }

    @Test func requestsForAnotherSerialNumberAreIgnored() async throws {
        try await VC0706Bench().run { bench in
            #expect(try await bench.exchange(.setSerialNumber(0x05), replyLength: 5) == [0x76, 0x00, 0x21, 0x00, 0x00])
            try await bench.send(VC0706Request.getVersion(serial: 0).encoded)
            #expect(try await bench.readAny(for: .milliseconds(200)).isEmpty)
            #expect(try await bench.exchange(.getVersion(serial: 5), replyLength: 16).prefix(5) == [0x76, 0x05, 0x11, 0x00, 0x0B])
        }
    }

    @Test func motionMessagesComeOnlyWhileEnabled() async throws {
        let scene = PatternScene(motion: [5...7, 20...21])
        try await VC0706Bench(scene: scene).run { bench in
            // Motion at 5-7 s with detection off: nothing.
            #expect(try await bench.readAny(for: .seconds(10)).isEmpty)
            #expect(try await bench.exchange(.commMotionControl(enabled: true), replyLength: 5) == [0x76, 0x00, 0x37, 0x00, 0x00])
            #expect(try await bench.exchange(.commMotionStatus(), replyLength: 6) == [0x76, 0x00, 0x38, 0x00, 0x01, 0x01])
            // Motion at 20-21 s: a message at its start and one a second later.
            let messages = try await bench.readAny(for: .seconds(15))
            #expect(messages == VC0706Reply.motionDetected.encoded + VC0706Reply.motionDetected.encoded)
            // Injected motion works too; turning detection off silences it.
            bench.camera.injectMotion(for: .milliseconds(500))
            #expect(try await bench.readAny(for: .seconds(1)) == VC0706Reply.motionDetected.encoded)
            #expect(try await bench.exchange(.commMotionControl(enabled: false), replyLength: 5) == [0x76, 0x00, 0x37, 0x00, 0x00])
            bench.camera.injectMotion(for: .seconds(2))
            #expect(try await bench.readAny(for: .seconds(3)).isEmpty)
        }
    }

    @Test func powerCycleRebootsAtTheDefaultBaudWithTheBanner() async throws {
        try await VC0706Bench().run { bench in
            _ = try await bench.exchange(.setPort(baud: 115200)!, replyLength: 5)
            try await bench.host.reconfigure(SerialConfiguration(baudRate: 115200))
            try await bench.camera.powerCycle(clock: bench.clock)
            try await bench.host.reconfigure(SerialConfiguration(baudRate: 38400))
            #expect(try await bench.readText(until: "Init end") == VC0706.bootBanner)
            #expect(bench.camera.baud == 38400)
        }
    }

    @Test func aDeadCameraAnswersNothing() async throws {
        try await VC0706Bench().run { bench in
            bench.camera.setPower(false)
            try await bench.send(VC0706Request.getVersion().encoded)
            #expect(try await bench.readAny(for: .seconds(1)).isEmpty)
        }
    }

    @Test func injectedFaultsDropOrCorruptExactlyTheNextReply() async throws {
        try await VC0706Bench().run { bench in
            bench.camera.dropNextReply()
            try await bench.send(VC0706Request.getVersion().encoded)
            #expect(try await bench.readAny(for: .milliseconds(200)).isEmpty)
            bench.camera.corruptNextReply()
            let corrupted = try await bench.exchange(.getVersion(), replyLength: 16)
            let clean = try await bench.exchange(.getVersion(), replyLength: 16)
            #expect(corrupted != clean)
            #expect(clean.prefix(5) == [0x76, 0x00, 0x11, 0x00, 0x0B])
        }
    }

    @Test func brownOutCutsTheTransferAndReboots() async throws {
        try await VC0706Bench().run { bench in
            _ = try await bench.exchange(.frameBufferControl(.stopCurrent), replyLength: 5)
            try await bench.send(VC0706Request.readFrameBuffer(address: 0, length: 19_000).encoded)
            try await bench.clock.sleep(for: .milliseconds(300))
            bench.camera.brownOut()
            let text = try await bench.readText(until: "Init end")
            #expect(text.hasSuffix(VC0706.bootBanner))
            #expect(text.utf8.count < 19_000)
            #expect(bench.camera.state.withLock { $0.frozen == nil })
        }
    }

    @Test func pacingOnVirtualTimeIsWithinOnePercentOfTheWire() async throws {
        for baud in [38400, 115200] {
            try await VC0706Bench().run { bench in
                try await bench.switchBaud(to: baud)
                _ = try await bench.exchange(.frameBufferControl(.stopCurrent), replyLength: 5)
                let length = 19_200
                let start = bench.clock.now
                _ = try await bench.exchange(.readFrameBuffer(address: 0, length: UInt32(length), delay: 0), replyLength: length + 10)
                let elapsed = bench.clock.now.seconds - start.seconds
                let theory = Double((16 + length + 10) * 10) / Double(baud)
                #expect(abs(elapsed - theory) / theory < 0.01, "\(baud): \(elapsed) s vs \(theory) s")
            }
        }
    }
}

@Suite struct VC0706MinimalCloneEmulatorTests {
    static var clone: VC0706Emulator.Configuration {
        var configuration = VC0706Emulator.Configuration()
        configuration.minimalClone = true
        return configuration
    }

    @Test func theMinimalCloneRefusesRegistersMotionAndDownsizeWithCommandNotReceived() async throws {
        try await VC0706Bench(configuration: Self.clone).run { bench in
            let refused: [VC0706Request] = [
                .readData(.i2cEEPROM, address: VC0706.imageSizeAddress), .readData(.chipRegister, address: VC0706.compressionAddress),
                .setImageSize(.qvga), .setCompression(0x50), .commMotionControl(enabled: true), .commMotionStatus(), .motionControl(),
                VC0706Request(.motionStatus, [0]), VC0706Request(.downsizeControl, [1]), VC0706Request(.downsizeStatus),
            ]
            for request in refused {
                let reply = try await bench.exchange(request, replyLength: 5)
                #expect(reply == [0x76, 0x00, request.command, VC0706.Status.commandNotReceived.rawValue, 0x00], "\(request)")
            }
            // What it has still works, in sync: version, and a frame read whole.
            #expect(try await bench.exchange(.getVersion(), replyLength: 16).prefix(5) == [0x76, 0x00, 0x11, 0x00, 0x0B])
            #expect(try await bench.exchange(.frameBufferControl(.stopCurrent), replyLength: 5) == [0x76, 0x00, 0x36, 0x00, 0x00])
            let lengthReply = try await bench.exchange(.getFrameBufferLength(), replyLength: 9)
            let length = Int(VC0706.bigEndianValue(lengthReply[5...]))
            let transfer = try await bench.exchange(.readFrameBuffer(address: 0, length: UInt32(length)), replyLength: length + 10)
            #expect(Array(transfer[5..<(5 + length)]) == bench.camera.lastFrozenFrame?.jpeg)
        }
    }
}
