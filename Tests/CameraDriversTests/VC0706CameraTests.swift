import CameraDrivers
import CameraProtocols
import Emulators
import HAL
import HALSimulation
import Synchronization
import Testing

@Suite struct VC0706CameraTests {
    static func stay(at baud: Int) -> VC0706Camera<SimulatedSerialPort>.Options {
        var options = VC0706Camera<SimulatedSerialPort>.Options()
        options.preferredBauds = [baud]
        return options
    }

    @Test(arguments: [38400, 57600, 115200, 19200, 9600])
    func connectFindsTheCameraWhateverBaudItWasLeftAt(baud: Int) async throws {
        let info = try await DriverBench(emulatorBaud: baud).run { bench in try await bench.camera.connect() }
        #expect(info.version == "VC0703 1.00")
        #expect(info.baud == 115200)  // moved to the fastest baud
        #expect(info.width == 640 && info.height == 480)
    }

    @Test(arguments: [38400, 115200])
    func aVGAFrameArrivesAtTheSpeedOfTheWire(baud: Int) async throws {
        let expected = StillScene.jpeg(width: 640, height: 480)
        let (frame, elapsed) = try await DriverBench(options: Self.stay(at: baud)).run { bench in
            _ = try await bench.camera.connect()
            let start = bench.clock.now
            let frame = try await bench.camera.snapshot()
            return (frame, start.duration(to: bench.clock.now))
        }
        #expect(frame.jpeg == expected)
        let wire = Double(expected.count * 10) / Double(baud)
        let roundTrip = Double(10 * 10) / Double(baud) + 0.001  // FBUF_CTRL and its reply, plus the camera's latency
        #expect(elapsed.seconds <= 1.03 * wire + roundTrip, "\(elapsed.seconds) s for \(expected.count) bytes at \(baud): wire \(wire) s")
        #expect(frame.retries == 0)
    }

    @Test func configureChangesTheSizeThroughAResetAndComesBackToSpeed() async throws {
        try await DriverBench().run { bench in
            _ = try await bench.camera.connect()
            try await bench.camera.configure(CameraSettings(width: 320, height: 240, compression: 0x50))
            let info = try await bench.camera.info()
            #expect(info.width == 320 && info.height == 240 && info.compression == 0x50)
            #expect(info.baud == 115200)
            let frame = try await bench.camera.snapshot()
            #expect(frame.jpeg == StillScene.jpeg(width: 320, height: 240))
            await #expect(throws: CameraError.self) { try await bench.camera.configure(CameraSettings(width: 800, height: 600)) }
        }
    }

    @Test func motionReportsArriveAsEventsEvenDuringATransfer() async throws {
        let scene = StillScene(motion: [1...60])
        let count = try await DriverBench(scene: scene, options: Self.stay(at: 38400)).run { bench in
            _ = try await bench.camera.connect()
            try await bench.camera.setMotionDetection(true)
            // Four frames at 38400 take about 50 s, with motion all along.
            for _ in 0..<4 { _ = try await bench.camera.snapshot() }
            try await bench.camera.listen(for: .seconds(2))
            var iterator = bench.camera.motionEvents.makeAsyncIterator()
            var count = 0
            while count < 5, await iterator.next() != nil { count += 1 }
            return count
        }
        #expect(count == 5)
    }

    @Test func verifiedModeReadsTheFrozenFrameTwice() async throws {
        var options = Self.stay(at: 115200)
        options.verification = .verified
        let (standard, verified) = try await DriverBench(options: options).run { bench in
            _ = try await bench.camera.connect()
            let frame = try await bench.camera.snapshot()
            return (StillScene.jpeg(width: 640, height: 480), frame)
        }
        #expect(verified.jpeg == standard)
        // The second read goes in pieces of 512 bytes, each with its request and replies.
        let ratio = verified.transferTime.seconds / (Double(standard.count * 10) / 115200)
        print("verified mode on a clean line: \(ratio) x the wire time of one read")
        #expect(ratio > 2 && ratio < 2.12)
    }

    @Test func aCorruptedReplyIsCaughtAndTheFrameReadAgain() async throws {
        var options = Self.stay(at: 115200)
        options.frameValidator = { $0 == StillScene.jpeg(width: 640, height: 480) }  // stands in for a full decode
        let frame = try await DriverBench(options: options).run { bench in
            _ = try await bench.camera.connect()
            bench.emulator.corruptNextReply()  // the FBUF_CTRL reply: the driver must not accept it
            return try await bench.camera.snapshot()
        }
        #expect(frame.jpeg == StillScene.jpeg(width: 640, height: 480))
        #expect(frame.retries == 1)
    }

    @Test func aCameraWithNoPowerIsNotFoundUnlessItsPowerCanBeSwitched() async throws {
        let bench = DriverBench()
        bench.emulator.setPower(false)
        let error = try await bench.run { bench -> CameraError? in
            do throws(CameraError) { _ = try await bench.camera.connect(); return nil } catch { return error }
        }
        #expect(error?.kind == .noCamera)
        #expect(error?.description.contains("38400, 115200, 57600, 19200, 9600") == true)

        let switchable = DriverBench(powerSwitch: true)
        switchable.emulator.setPower(false)
        let info = try await switchable.run { bench in try await bench.camera.connect() }
        #expect(info.version == "VC0703 1.00")
        #expect(switchable.emulator.isPowered)
    }

    /// Calls `action` at the first line of the emulator's trace that goes `direction` and
    /// starts with `text`.
    static func once(_ emulator: VC0706Emulator, _ direction: EmulatorTrace.Direction, _ text: String, _ action: @escaping @Sendable () -> Void) {
        let done = Mutex(false)
        emulator.setTrace { line in
            guard line.direction == direction, line.text.hasPrefix(text), !done.withLock({ $0 }) else { return }
            done.withLock { $0 = true }
            action()
        }
    }

    @Test func aCorruptedFrameLengthIsReadAgainNotBelieved() async throws {
        let lengthReplies = Mutex(0)
        let frame = try await DriverBench(options: Self.stay(at: 115200)).run { bench in
            _ = try await bench.camera.connect()
            // The first GET_FBUF_LEN reply (the one after FBUF_CTRL's) arrives with its last
            // length byte changed.
            let emulator = bench.emulator
            emulator.setTrace { line in
                guard line.direction == .sent else { return }
                if line.text.hasPrefix("FBUF_CTRL reply") && lengthReplies.withLock({ $0 }) == 0 { emulator.corruptNextReply() }
                if line.text.hasPrefix("GET_FBUF_LEN reply") { lengthReplies.withLock { $0 += 1 } }
            }
            return try await bench.camera.snapshot()
        }
        #expect(frame.jpeg == StillScene.jpeg(width: 640, height: 480))
        #expect(frame.retries == 0)  // settled by a third GET_FBUF_LEN, not by a failed read
        #expect(lengthReplies.withLock { $0 } == 3)
    }

    /// A READ_FBUF whose length was corrupted on the way asks for far more than a frame, and
    /// the camera streams it: the driver stops waiting and power-cycles where it can, or
    /// says the camera is busy.
    @Test(arguments: [true, false])
    func aCameraStreamingFarMoreThanAFrameIsPowerCycledOrReportedBusy(powerSwitch: Bool) async throws {
        let bench = DriverBench(options: Self.stay(at: 115200), powerSwitch: powerSwitch)
        let outcome = try await bench.run { bench -> Result<CapturedFrame, CameraError> in
            _ = try await bench.camera.connect()
            // What the camera hears when a flipped bit makes a 4 KiB READ_FBUF ask for 1 MiB.
            try await bench.link.host.write(VC0706Request.readFrameBuffer(address: 0, length: 1 << 20, delay: 10, serial: 0).encoded)
            do throws(CameraError) { return .success(try await bench.camera.snapshot()) } catch { return .failure(error) }
        }
        if powerSwitch {
            #expect(try outcome.get().jpeg == StillScene.jpeg(width: 640, height: 480))
        } else {
            #expect(throws: CameraError.self) { try outcome.get() }
            if case .failure(let error) = outcome { #expect(error.kind == .busy, "\(error)") }
        }
    }

    @Test func verifiedModeRereadsOnlyThePieceThatDisagrees() async throws {
        let expected = StillScene.jpeg(width: 640, height: 480)
        func snapshot(_ verification: FrameVerification) async throws -> CapturedFrame {
            var options = Self.stay(at: 115200)
            options.verification = verification
            return try await DriverBench(options: options).run { bench in
                _ = try await bench.camera.connect()
                // One byte in the middle of the first read is wrong, and the frame still passes
                // every standard check (a flipped bit in entropy-coded data that decodes).
                let emulator = bench.emulator
                Self.once(emulator, .received, "READ_FBUF") { emulator.corruptNextReply() }
                return try await bench.camera.snapshot()
            }
        }
        let standard = try await snapshot(.standard)
        #expect(standard.jpeg != expected && standard.jpeg.count == expected.count)
        let verified = try await snapshot(.verified)
        #expect(verified.jpeg == expected)
        #expect(verified.retries == 0)
        // The whole frame twice, one piece of 512 bytes a third time, and each piece's request.
        let wire = Double(expected.count * 10) / 115200
        #expect(verified.transferTime.seconds < 2.15 * wire, "\(verified.transferTime) for \(wire) s of wire")
    }
}
