import CameraProtocols
import HAL
import HALSimulation
import Scenes
import Testing

@testable import Emulators

@Suite struct OV528EmulatorTests {
    @Test(arguments: OV528.Variant.allCases)
    func syncIsAnsweredOnlyAfterTheDrawnNumberOfTries(variant: OV528.Variant) async throws {
        let bench = OV528Bench(variant) { $0.syncTries = 7...7 }
        try await bench.run { bench in
            // Before sync the camera hears nothing but SYNC.
            try await bench.send(.initialJPEG(variant.jpegResolutions[0], variant: variant))
            #expect(try await bench.readAny(for: .milliseconds(100)).isEmpty)
            for _ in 1...6 {
                try await bench.send(.sync())
                #expect(try await bench.readAny(for: .milliseconds(10)).isEmpty)
            }
            try await bench.send(.sync())
            #expect(try await bench.read(12) == [0xAA, 0x0E, 0x0D, 0x00, 0x00, 0x00, 0xAA, 0x0D, 0x00, 0x00, 0x00, 0x00])
            try await bench.send(.ack(.sync))
            #expect(bench.camera.isSynced)
            // Once synced, every SYNC is answered at once (the ACK counter counts on).
            #expect(try await bench.exchange(.sync(), replyLength: 12) == [0xAA, 0x0E, 0x0D, 0x01, 0x00, 0x00, 0xAA, 0x0D, 0x00, 0x00, 0x00, 0x00])
        }
    }

    @Test func theNumberOfTriesIsDrawnFromTheSeedWithinTheVariantsRange() async throws {
        var tries: Set<Int> = []
        for seed in UInt64(1)...8 {
            let bench = OV528Bench(.ucam3) { $0.seed = seed }
            let count = try await bench.run { bench in try await bench.sync() }
            let needed = try #require(count)
            #expect((5...30).contains(needed))
            tries.insert(needed)
        }
        #expect(tries.count > 3)
        let grove = try await OV528Bench(.ov528).run { bench in try await bench.sync() }
        #expect((1...4).contains(try #require(grove)))
    }

    @Test(arguments: OV528.Variant.allCases)
    func aWholeSessionByteByByte(variant: OV528.Variant) async throws {
        try await OV528Bench(variant).run { bench in
            #expect(try await bench.sync() != nil)
            let vga = try #require(variant.jpegResolution(width: 640, height: 480))
            #expect(try await bench.exchange(.initialJPEG(vga, variant: variant)) == [0xAA, 0x0E, 0x01, 0x01, 0x00, 0x00])
            #expect(try await bench.exchange(.setPackageSize(512)) == [0xAA, 0x0E, 0x06, 0x02, 0x00, 0x00])
            #expect(try await bench.exchange(.snapshot()) == [0xAA, 0x0E, 0x05, 0x03, 0x00, 0x00])
            let reply = try await bench.exchange(.getPicture(.snapshot), replyLength: 12)
            let frame = try #require(bench.camera.lastServedFrame)
            let size = frame.jpeg.count
            #expect(reply == [0xAA, 0x0E, 0x04, 0x04, 0x00, 0x00, 0xAA, 0x0A, 0x01, UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16)])
            let count = OV528.packageCount(imageSize: size, packageSize: 512)
            var image: [UInt8] = []
            for id in 0..<count {
                let expected = OV528Package.slice(frame.jpeg, id: id, packageSize: 512).encoded
                let package = try await bench.exchange(.requestPackage(UInt16(id)), replyLength: expected.count)
                #expect(package == expected, "package \(id)")
                image += package[4..<(package.count - 2)]
            }
            #expect(image == frame.jpeg)
            #expect(image.starts(with: [0xFF, 0xD8]) && image.suffix(2) == [0xFF, 0xD9])
            try await bench.send(.endTransfer())
            #expect(try await bench.readAny(for: .milliseconds(100)).isEmpty)
            #expect(bench.camera.packageRequests == (0..<count).map(UInt16.init))
            // The snapshot stays: it can be fetched again, the same.
            #expect(try await bench.fetch().image == frame.jpeg)
        }
    }

    /// Every request a host can get wrong, and the error code the camera answers it with.
    static func badRequests(_ variant: OV528.Variant) -> [(String, [UInt8], OV528.ErrorCode)] {
        let other: UInt8 = variant == .ov528 ? 0x13 : 0x09  // the other variant's command
        let badColour: UInt8 = variant == .ov528 ? 0x04 : 0x01
        let badJPEG: UInt8 = variant == .ov528 ? 0x02 : 0x01
        let rawColour: UInt8 = 0x03  // 8-bit grey on both
        return [
            ("bytes without AA", [0x55, 0x12, 0x34], .commandHeader),
            ("an unknown command", [0xAA, 0x02, 0, 0, 0, 0], .commandID),
            ("the other variant's command", [0xAA, other, 0, 0, 0, 0], .commandID),
            ("DATA from the host", [0xAA, 0x0A, 0x01, 0, 0, 0], .unexpectedCommand),
            ("NAK from the host", [0xAA, 0x0F, 0x00, 0x00, 0x01, 0x00], .unexpectedCommand),
            ("INITIAL with P1 set", [0xAA, 0x01, 0x01, 0x07, 0x00, 0x07], .parameter),
            ("INITIAL with a colour code the variant lacks", [0xAA, 0x01, 0x00, badColour, 0x00, 0x07], .pictureFormat),
            ("INITIAL with a JPEG resolution the variant lacks", [0xAA, 0x01, 0x00, 0x07, 0x00, badJPEG], .pictureSize),
            ("INITIAL raw with a raw resolution the variant lacks", [0xAA, 0x01, 0x00, rawColour, 0x02, 0x07], .pictureSize),
            ("SET PACKAGE SIZE without 08", [0xAA, 0x06, 0x07, 0x00, 0x02, 0x00], .parameter),
            ("SET PACKAGE SIZE of 63", [0xAA, 0x06, 0x08, 63, 0x00, 0x00], .setTransferPackageSize),
            ("SET PACKAGE SIZE of 513", [0xAA, 0x06, 0x08, 0x01, 0x02, 0x00], .setTransferPackageSize),
            ("SNAPSHOT of type 2", [0xAA, 0x05, 0x02, 0, 0, 0], .parameter),
            ("a raw SNAPSHOT in JPEG mode", [0xAA, 0x05, 0x01, 0, 0, 0], .pictureType),
            ("GET PICTURE of type 3", [0xAA, 0x04, 0x03, 0, 0, 0], .pictureType),
            ("GET PICTURE of a snapshot never taken", [0xAA, 0x04, 0x01, 0, 0, 0], .pictureNotReady),
            ("GET PICTURE of a raw preview in JPEG mode", [0xAA, 0x04, 0x02, 0, 0, 0], .pictureType),
            ("a package asked for with no transfer", [0xAA, 0x0E, 0x00, 0x00, 0x00, 0x00], .unexpectedReply),
            ("SET BAUD to no whole baud", [0xAA, 0x07, 0x10, 0x00, 0, 0], .parameter),
            ("SET BAUD to a baud no port has", [0xAA, 0x07, 0x00, 0x00, 0, 0], .parameter),
            ("RESET of kind 2", [0xAA, 0x08, 0x02, 0, 0, 0], .parameter),
            ("RESET with P4 neither 00 nor FF", [0xAA, 0x08, 0x00, 0, 0, 0x01], .parameter),
        ] + (variant == .ucam3 ? [
            ("LIGHT of 2", [0xAA, 0x13, 0x02, 0, 0, 0], .parameter),
            ("CONTRAST of 5", [0xAA, 0x14, 0x05, 0x02, 0x02, 0], .parameter),
            ("EXPOSURE of 5", [0xAA, 0x14, 0x02, 0x02, 0x05, 0], .parameter),
            ("SLEEP with P1 set", [0xAA, 0x15, 0x01, 0x00, 0, 0], .parameter),
        ] : [
            ("POWER DOWN with a parameter", [0xAA, 0x09, 0x01, 0, 0, 0], .parameter),
        ])
    }

    @Test(arguments: OV528.Variant.allCases)
    func everyBadRequestIsNAKedWithItsErrorCode(variant: OV528.Variant) async throws {
        try await OV528Bench(variant).run { bench in
            #expect(try await bench.sync() != nil)
            var counter: UInt8 = 0
            func expectNAK(_ what: String, _ bytes: [UInt8], _ error: OV528.ErrorCode) async throws {
                try await bench.send(bytes)
                let reply = try await bench.read(6, timeout: .milliseconds(200))
                #expect(reply == [0xAA, 0x0F, 0x00, counter, error.rawValue, 0x00], "\(what): \(Hex.bytes(reply))")
                counter &+= 1
            }
            // Out of order: no format yet.
            try await expectNAK("SNAPSHOT before INITIAL", [0xAA, 0x05, 0x00, 0, 0, 0], .unexpectedCommand)
            try await expectNAK("GET PICTURE before INITIAL", [0xAA, 0x04, 0x05, 0, 0, 0], .unexpectedCommand)
            // A command cut short: NAKed once the line has been quiet a while.
            try await bench.send([0xAA, 0x01, 0x00])
            try await bench.clock.sleep(for: .milliseconds(50))
            try await expectNAK("a command cut short", [], .commandLength)
            #expect(try await bench.exchange(.initialJPEG(variant.jpegResolutions.last!, variant: variant)).prefix(3) == [0xAA, 0x0E, 0x01])
            for (what, bytes, error) in Self.badRequests(variant) {
                try await expectNAK(what, bytes, error)
            }
            // A package beyond the last.
            _ = try await bench.exchange(.snapshot())
            let data = try await bench.exchange(.getPicture(.snapshot), replyLength: 12)
            let count = OV528.packageCount(imageSize: OV528Message(bytes: data[6...])!.imageSize, packageSize: OV528.defaultPackageSize)
            try await expectNAK("a package beyond the last", OV528Message.requestPackage(UInt16(count)).encoded, .transferPackageNumber)
            // Still in sync after all that: the last package comes.
            let last = try await bench.exchange(.requestPackage(UInt16(count - 1)), replyLength: 6)
            #expect(last.prefix(2) == [UInt8((count - 1) & 0xFF), UInt8((count - 1) >> 8)])
        }
    }

    @Test func commandsForAnotherAddressAreIgnoredAndRepliesCarryTheAddress() async throws {
        try await OV528Bench(.ov528) { $0.address = 3 }.run { bench in
            #expect(try await bench.sync() != nil)
            try await bench.send(.initialJPEG(OV528.Variant.ov528.jpegResolutions[0], variant: .ov528, address: 0))
            #expect(try await bench.readAny(for: .milliseconds(100)).isEmpty)
            let reply = try await bench.exchange(.initialJPEG(OV528.Variant.ov528.jpegResolutions[0], variant: .ov528, address: 3))
            #expect(reply == [0xAA, 0x0E | 3 << 5, 0x01, 0x01, 0x00, 0x00])
        }
    }

    @Test(arguments: OV528.Variant.allCases)
    func aBadPackageIsSentAgainWhenAskedAgain(variant: OV528.Variant) async throws {
        try await OV528Bench(variant).run { bench in
            try await bench.prepare()
            bench.camera.corruptPackage(2)
            _ = try await bench.exchange(.snapshot())
            let reply = try await bench.exchange(.getPicture(.snapshot), replyLength: 12)
            let size = OV528Message(bytes: reply[6...])!.imageSize
            let frame = try #require(bench.camera.lastServedFrame).jpeg
            let good = OV528Package.slice(frame, id: 2, packageSize: 512).encoded
            for id: UInt16 in [0, 1] { _ = try await bench.exchange(.requestPackage(id), replyLength: 512) }
            let bad = try await bench.exchange(.requestPackage(2), replyLength: good.count)
            #expect(bad != good && bad.count == good.count)
            #expect(throws: OV528PackageError.self) { try OV528Package.decode(bad, id: 2, dataSize: 506) }
            #expect(try await bench.exchange(.requestPackage(2), replyLength: good.count) == good)
            #expect(try await bench.exchange(.requestPackage(2), replyLength: good.count) == good)
            #expect(bench.camera.packageRequests == [0, 1, 2, 2, 2])
            #expect(size == frame.count)
        }
    }

    @Test(arguments: OV528.Variant.allCases)
    func setBaudAnswersAtTheOldBaudThenSwitches(variant: OV528.Variant) async throws {
        try await OV528Bench(variant).run { bench in
            #expect(try await bench.sync() != nil)
            let request = try #require(OV528Message.setBaud(57600, variant: variant))
            #expect(try await bench.exchange(request) == [0xAA, 0x0E, 0x07, 0x01, 0x00, 0x00])
            try await bench.camera.port.drain()
            #expect(bench.camera.baud == 57600)
            // Still at 115200 on the host: the camera hears garbage and sends nothing valid.
            try await bench.send(.sync())
            #expect(try await bench.readAny(for: .milliseconds(100)).starts(with: [0xAA, 0x0E, 0x0D]) == false)
            try await bench.host.reconfigure(SerialConfiguration(baudRate: 57600))
            _ = try await bench.readAny(for: .milliseconds(50))
            #expect(try await bench.exchange(.sync(), replyLength: 12).prefix(3) == [0xAA, 0x0E, 0x0D])
            // The other variant's divisors for 57600 make the same baud: the camera divides its clock.
            let other = try #require(OV528Message.setBaud(57600, variant: variant == .ov528 ? .ucam3 : .ov528))
            #expect(try await bench.exchange(other).prefix(3) == [0xAA, 0x0E, 0x07])
        }
    }

    @Test(arguments: OV528.Variant.allCases)
    func aWholeSystemResetNeedsSyncAgainAtTheDefaultBaud(variant: OV528.Variant) async throws {
        try await OV528Bench(variant).run { bench in
            try await bench.prepare()
            _ = try await bench.exchange(.setBaud(57600, variant: variant)!)
            try await bench.host.reconfigure(SerialConfiguration(baudRate: 57600))
            #expect(try await bench.exchange(.reset(.wholeSystem)).prefix(3) == [0xAA, 0x0E, 0x08])
            try await bench.host.reconfigure(SerialConfiguration(baudRate: 115200))
            try await bench.clock.sleep(for: .seconds(1))
            #expect(!bench.camera.isSynced)
            #expect(bench.camera.baud == 115200)
            #expect(bench.camera.packageSize == 64 && bench.camera.format == nil)
            #expect(try await bench.sync() != nil)
        }
    }

    @Test(arguments: OV528.Variant.allCases)
    func aStateMachineResetEndsTheTransferButKeepsSyncAndSettings(variant: OV528.Variant) async throws {
        try await OV528Bench(variant).run { bench in
            try await bench.prepare()
            _ = try await bench.exchange(.snapshot())
            _ = try await bench.exchange(.getPicture(.snapshot), replyLength: 12)
            #expect(try await bench.exchange(.reset(.stateMachine, immediately: true)).prefix(3) == [0xAA, 0x0E, 0x08])
            #expect(try await bench.exchange(.requestPackage(0)).prefix(5) == [0xAA, 0x0F, 0x00, 0x00, OV528.ErrorCode.unexpectedReply.rawValue])
            #expect(bench.camera.isSynced && bench.camera.packageSize == 512)
            #expect(try await bench.exchange(.getPicture(.snapshot)).prefix(5) == [0xAA, 0x0F, 0x00, 0x01, OV528.ErrorCode.pictureNotReady.rawValue])
        }
    }

    @Test func snapshotSkipsFramesBeforeCapturing() async throws {
        try await OV528Bench(.ucam3).run { bench in
            try await bench.prepare(OV528.Variant.ucam3.jpegResolutions[0])
            let before = bench.clock.now
            _ = try await bench.exchange(.snapshot(skipFrames: 0))
            _ = try await bench.fetch()
            let first = try #require(bench.camera.lastServedFrame).index
            #expect(first == PatternScene().frameIndex(at: before))
            _ = try await bench.exchange(.snapshot(skipFrames: 5))
            let start = bench.clock.now
            _ = try await bench.fetch()
            let skipped = try #require(bench.camera.lastServedFrame).index
            #expect(skipped == PatternScene().frameIndex(at: start) + 5)
            // The JPEG preview is a new frame each time, without SNAPSHOT.
            try await bench.clock.sleep(for: .seconds(1))
            let preview = try await bench.fetch(.jpegPreview)
            #expect(preview.image == bench.camera.lastServedFrame?.jpeg)
            #expect(try #require(bench.camera.lastServedFrame).index > skipped)
        }
    }

    @Test func theUCAMSleepsAfterItsTimeoutUnlessToldNotTo() async throws {
        try await OV528Bench(.ucam3).run { bench in
            #expect(try await bench.sync() != nil)
            try await bench.clock.sleep(for: .seconds(16))
            try await bench.send(.initialJPEG(OV528.Variant.ucam3.jpegResolutions[0], variant: .ucam3))
            #expect(try await bench.readAny(for: .milliseconds(100)).isEmpty)
            #expect(!bench.camera.isSynced)
            #expect(try await bench.sync() != nil)
            #expect(try await bench.exchange(.sleep(seconds: 0)).prefix(3) == [0xAA, 0x0E, 0x15])
            #expect(bench.camera.sleepTimeout == 0)
            try await bench.clock.sleep(for: .seconds(60))
            #expect(try await bench.exchange(.sync(), replyLength: 12).prefix(3) == [0xAA, 0x0E, 0x0D])
        }
    }

    @Test func theOV528PowersDownUntilSynced() async throws {
        try await OV528Bench(.ov528).run { bench in
            #expect(try await bench.sync() != nil)
            #expect(try await bench.exchange(.powerDown()).prefix(3) == [0xAA, 0x0E, 0x09])
            try await bench.send(.initialJPEG(OV528.Variant.ov528.jpegResolutions[0], variant: .ov528))
            #expect(try await bench.readAny(for: .milliseconds(100)).isEmpty)
            #expect(try await bench.sync() != nil)
            // The OV528 never sleeps by itself.
            try await bench.clock.sleep(for: .seconds(60))
            #expect(try await bench.exchange(.sync(), replyLength: 12).prefix(3) == [0xAA, 0x0E, 0x0D])
        }
    }

    @Test func lightAndContrastBrightnessExposureAreKept() async throws {
        try await OV528Bench(.ucam3).run { bench in
            let tries = try await bench.sync()
            #expect(tries != nil)
            #expect(try await bench.exchange(.light(sixtyHertz: true)) == [0xAA, 0x0E, 0x13, 0x01, 0x00, 0x00])
            #expect(try await bench.exchange(.contrastBrightnessExposure(contrast: 4, brightness: 0, exposure: 3)) == [0xAA, 0x0E, 0x14, 0x02, 0x00, 0x00])
            let settings = bench.camera.imageSettings
            #expect(settings.sixtyHertz && settings.contrast == 4 && settings.brightness == 0 && settings.exposure == 3)
        }
    }

    @Test(arguments: [(OV528.Variant.ov528, UInt8(0x03), 160 * 120), (.ov528, 0x01, 160 * 120 / 4), (.ucam3, 0x06, 160 * 128 * 2), (.ucam3, 0x08, 160 * 128 * 2)])
    func rawPreviewsFollowDATAInOnePiece(variant: OV528.Variant, colour: UInt8, size: Int) async throws {
        try await OV528Bench(variant, scene: try SceneCatalog.scene(named: "street", seed: 1)).run { bench in
            #expect(try await bench.sync() != nil)
            #expect(try await bench.exchange(.initial(colour: colour, rawResolution: 0x03, jpegResolution: 0x07)).prefix(3) == [0xAA, 0x0E, 0x01])
            // JPEG requests are the wrong type now.
            #expect(try await bench.exchange(.getPicture(.jpegPreview)).prefix(5) == [0xAA, 0x0F, 0x00, 0x00, 0x01])
            let reply = try await bench.exchange(.getPicture(.rawPreview), replyLength: 12)
            #expect(reply[6...8] == [0xAA, 0x0A, 0x02])
            #expect(OV528Message(bytes: reply[6...])!.imageSize == size)
            let image = try await bench.read(size)
            #expect(image.count == size)
            #expect(Set(image).count > 4)  // a picture, not a fill
            try await bench.send(.ack(command: 0x0A, counter: 0, packageID: 1))
            #expect(try await bench.readAny(for: .milliseconds(100)).isEmpty)
            // A raw snapshot too.
            #expect(try await bench.exchange(.snapshot(.raw)).prefix(3) == [0xAA, 0x0E, 0x05])
            let snapshot = try await bench.exchange(.getPicture(.snapshot), replyLength: 12 + size)
            #expect(snapshot.count == 12 + size)
        }
    }

    @Test(arguments: OV528.Variant.allCases)
    func powerUpAndBrownOutNeedSyncAgain(variant: OV528.Variant) async throws {
        try await OV528Bench(variant).run { bench in
            try await bench.prepare()
            _ = try await bench.exchange(.snapshot())
            _ = try await bench.exchange(.getPicture(.snapshot), replyLength: 12)
            try await bench.send(.requestPackage(0))
            try await bench.clock.sleep(for: .milliseconds(10))
            bench.camera.brownOut()
            let cut = try await bench.readAny(for: .milliseconds(300))
            #expect(cut.count < 512 + 3)
            #expect(!bench.camera.isSynced)
            #expect(try await bench.sync() != nil)
            try await bench.camera.powerCycle(clock: bench.clock)
            try await bench.clock.sleep(for: .seconds(1))
            #expect(!bench.camera.isSynced)
            #expect(try await bench.sync() != nil)
        }
    }

    @Test func aDeadCameraAnswersNothing() async throws {
        try await OV528Bench(.ucam3).run { bench in
            bench.camera.setPower(false)
            for _ in 0..<60 { try await bench.send(.sync()) }
            #expect(try await bench.readAny(for: .seconds(1)).isEmpty)
        }
    }

    @Test func packagesArePacedAtTheWire() async throws {
        try await OV528Bench(.ucam3).run { bench in
            try await bench.prepare()
            _ = try await bench.exchange(.snapshot())
            let start = bench.clock.now
            let (size, image) = try await bench.fetch()
            let elapsed = start.duration(to: bench.clock.now).seconds
            let packages = OV528.packageCount(imageSize: size, packageSize: 512)
            // GET PICTURE, ACK and DATA, each package's request and bytes, and the final ACK.
            let bytes = 6 * 3 + packages * 6 + (size + packages * 6) + 6
            let wire = Double(bytes * 10) / 115200
            #expect(image.count == size)
            #expect(elapsed >= wire && elapsed < wire * 1.03, "\(elapsed) s vs wire \(wire) s")
        }
    }
}
