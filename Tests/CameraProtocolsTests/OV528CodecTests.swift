import Testing

@testable import CameraProtocols

@Suite struct OV528CodecTests {
    /// Decodes `bytes` fed in pieces of `split` bytes.
    func decode(_ bytes: [UInt8], split: Int = 1, expecting package: (id: UInt16, length: Int)? = nil) -> [OV528Decoder.Output] {
        var decoder = OV528Decoder()
        if let package { decoder.expectPackage(id: package.id, length: package.length) }
        var outputs: [OV528Decoder.Output] = []
        var index = 0
        while index < bytes.count {
            decoder.feed(bytes[index..<min(index + split, bytes.count)])
            index += split
            while let output = decoder.next() { outputs.append(output) }
        }
        return outputs
    }

    @Test func theCommandsAreTheBytesTheHostLibrariesSend() {
        #expect(OV528Message.sync().encoded == [0xAA, 0x0D, 0x00, 0x00, 0x00, 0x00])
        #expect(OV528Message.ack(.sync).encoded == [0xAA, 0x0E, 0x0D, 0x00, 0x00, 0x00])
        // Seeed's INITIAL, and uCAM-III's, for JPEG at 640x480.
        let vga = OV528.Variant.ov528.jpegResolution(width: 640, height: 480)!
        #expect(OV528Message.initialJPEG(vga, variant: .ov528).encoded == [0xAA, 0x01, 0x00, 0x07, 0x00, 0x07])
        #expect(OV528Message.initialJPEG(vga, variant: .ucam3).encoded == [0xAA, 0x01, 0x00, 0x07, 0x07, 0x07])
        #expect(OV528Message.setPackageSize(512).encoded == [0xAA, 0x06, 0x08, 0x00, 0x02, 0x00])
        #expect(OV528Message.setPackageSize(128).encoded == [0xAA, 0x06, 0x08, 0x80, 0x00, 0x00])
        #expect(OV528Message.snapshot(.compressed, skipFrames: 0x0102).encoded == [0xAA, 0x05, 0x00, 0x02, 0x01, 0x00])
        #expect(OV528Message.getPicture(.snapshot).encoded == [0xAA, 0x04, 0x01, 0x00, 0x00, 0x00])
        #expect(OV528Message.getPicture(.jpegPreview).encoded == [0xAA, 0x04, 0x05, 0x00, 0x00, 0x00])
        #expect(OV528Message.requestPackage(0x0102).encoded == [0xAA, 0x0E, 0x00, 0x00, 0x02, 0x01])
        #expect(OV528Message.endTransfer().encoded == [0xAA, 0x0E, 0x00, 0x00, 0xF0, 0xF0])
        #expect(OV528Message.reset(.stateMachine, immediately: true).encoded == [0xAA, 0x08, 0x01, 0x00, 0x00, 0xFF])
        #expect(OV528Message.powerDown().encoded == [0xAA, 0x09, 0x00, 0x00, 0x00, 0x00])
        #expect(OV528Message.light(sixtyHertz: true).encoded == [0xAA, 0x13, 0x01, 0x00, 0x00, 0x00])
        #expect(OV528Message.contrastBrightnessExposure(contrast: 4, brightness: 0, exposure: 3).encoded == [0xAA, 0x14, 0x04, 0x00, 0x03, 0x00])
        #expect(OV528Message.sleep(seconds: 0).encoded == [0xAA, 0x15, 0x00, 0x00, 0x00, 0x00])
        #expect(OV528Message.nak(.transferPackageNumber, counter: 3).encoded == [0xAA, 0x0F, 0x00, 0x03, 0x10, 0x00])
        #expect(OV528Message.data(.snapshot, size: 0x01_2345).encoded == [0xAA, 0x0A, 0x01, 0x45, 0x23, 0x01])
    }

    @Test func theCameraAddressRidesInTheTopThreeBitsOfTheID() {
        let sync = OV528Message.sync(address: 5)
        #expect(sync.encoded == [0xAA, 0x0D | 5 << 5, 0x00, 0x00, 0x00, 0x00])
        let decoded = OV528Message(bytes: [0xAA, 0xAE, 0x0D, 0x00, 0x00, 0x00])
        #expect(decoded?.address == 5 && decoded?.knownCommand == .ack && decoded?.p1 == 0x0D)
        #expect(decoded?.acknowledges(.sync) == true)
        #expect(OV528Message(bytes: [0xAB, 0x0D, 0, 0, 0, 0]) == nil)
        #expect(OV528Message(bytes: [0xAA, 0x0D, 0, 0, 0]) == nil)
    }

    @Test func baudDivisorsFollowEachVariantsDocumentation() {
        #expect(OV528.Variant.ov528.baudDivisors(for: 115200)! == (0x0F, 0x01))
        #expect(OV528.Variant.ucam3.baudDivisors(for: 115200)! == (0x1F, 0x00))
        #expect(OV528Message.setBaud(115200, variant: .ov528)?.encoded == [0xAA, 0x07, 0x0F, 0x01, 0x00, 0x00])
        #expect(OV528Message.setBaud(115200, variant: .ucam3)?.encoded == [0xAA, 0x07, 0x1F, 0x00, 0x00, 0x00])
        for variant in OV528.Variant.allCases {
            for baud in [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600] {
                let divisors = try! #require(variant.baudDivisors(for: baud))
                #expect(OV528.baud(divider1: divisors.0, divider2: divisors.1) == baud, "\(variant) \(baud)")
            }
        }
        #expect(OV528.Variant.ucam3.baudDivisors(for: 9600)! == (0xBF, 0x01))  // 383 does not fit a byte
        #expect(OV528.Variant.ov528.baudDivisors(for: 100_000) == nil)
        #expect(OV528.baud(divider1: 0x10, divider2: 0x00) == nil)  // 14.7456 MHz / 68 is no whole baud
    }

    @Test func theVariantsDifferInColourAndResolutionCodes() {
        #expect(OV528.Variant.ov528.colourFormat(code: 0x01) == .grey2)
        #expect(OV528.Variant.ucam3.colourFormat(code: 0x01) == nil)
        #expect(OV528.Variant.ucam3.colourFormat(code: 0x08) == .crYCbY)
        #expect(OV528.Variant.ov528.colourFormat(code: 0x08) == nil)
        #expect(OV528.Variant.ov528.jpegResolution(code: 0x03)?.description == "160x120")
        #expect(OV528.Variant.ucam3.jpegResolution(code: 0x03)?.description == "160x128")
        #expect(OV528.Variant.ov528.jpegResolution(code: 0x01)?.description == "80x60")
        #expect(OV528.Variant.ucam3.jpegResolution(code: 0x01) == nil)
        #expect(OV528.Variant.ov528.hostCommands.contains(.powerDown) && !OV528.Variant.ov528.hostCommands.contains(.sleep))
        #expect(OV528.Variant.ucam3.hostCommands.isSuperset(of: [.light, .contrastBrightnessExposure, .sleep]))
        #expect(!OV528.Variant.ucam3.hostCommands.contains(.powerDown))
    }

    @Test func aPackageCarriesIDSizeDataAndTheLowByteOfItsSum() throws {
        let package = OV528Package(id: 0x0102, data: [0x10, 0x20, 0xF0])
        let sum = (0x02 + 0x01 + 0x03 + 0x00 + 0x10 + 0x20 + 0xF0) & 0xFF
        #expect(package.encoded == [0x02, 0x01, 0x03, 0x00, 0x10, 0x20, 0xF0, UInt8(sum), 0x00])
        #expect(try OV528Package.decode(package.encoded, id: 0x0102, dataSize: 3) == package)

        var flipped = package.encoded
        flipped[5] ^= 0x04
        #expect(throws: OV528PackageError.verify(received: UInt16(sum), computed: UInt8((sum + 0x04) & 0xFF))) {
            try OV528Package.decode(flipped, id: 0x0102, dataSize: 3)
        }
        var highVerify = package.encoded
        highVerify[8] = 0x01
        #expect(throws: OV528PackageError.self) { try OV528Package.decode(highVerify, id: 0x0102, dataSize: 3) }
        #expect(throws: OV528PackageError.id(received: 0x0102, expected: 7)) { try OV528Package.decode(package.encoded, id: 7, dataSize: 3) }
        #expect(throws: OV528PackageError.length(received: 9, expected: 10)) { try OV528Package.decode(package.encoded, id: 0x0102, dataSize: 4) }
        var relabelled = OV528Package(id: 1, data: [1, 2, 3]).encoded
        relabelled[2] = 2  // SIZE says 2, with a verify byte to match
        relabelled[7] = OV528Package.verifyByte(relabelled[..<7])
        #expect(throws: OV528PackageError.size(received: 2, expected: 3)) { try OV528Package.decode(relabelled, id: 1, dataSize: 3) }
    }

    @Test func imagesSplitIntoPackagesOfPackageSizeLessSix() {
        #expect(OV528.packageCount(imageSize: 506, packageSize: 512) == 1)
        #expect(OV528.packageCount(imageSize: 507, packageSize: 512) == 2)
        #expect(OV528.packageCount(imageSize: 0, packageSize: 512) == 0)
        #expect(OV528.packageCount(imageSize: 1000, packageSize: 64) == 18)
        #expect(OV528.packageDataSize(id: 17, imageSize: 1000, packageSize: 64) == 1000 - 17 * 58)
        let image = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let rebuilt = (0..<18).flatMap { OV528Package.slice(image, id: $0, packageSize: 64).data }
        #expect(rebuilt == image)
        #expect(OV528Package.slice(image, id: 17, packageSize: 64).data.count == 14)
    }

    static let replies: [OV528Message] = [
        .ack(.sync), .sync(), .ack(.initial, counter: 1), .nak(.commandID, counter: 2), .data(.snapshot, size: 40000),
    ]

    @Test(arguments: [1, 2, 5, 6, 7, 1000])
    func messagesSurviveAnySplit(split: Int) {
        #expect(decode(Self.replies.flatMap(\.encoded), split: split) == Self.replies.map { .message($0) })
    }

    @Test func garbageBeforeAMessageComesOutAsOneSkippedRun() {
        var decoder = OV528Decoder()
        decoder.feed([0x00, 0xFF, 0x13] + OV528Message.sync().encoded)
        #expect(decoder.next() == .skipped(3))
        #expect(decoder.next() == .message(.sync()))
        #expect(decoder.next() == nil)
        #expect(decoder.skippedBytes == 3)
    }

    @Test func aPartialMessageIsHeldUntilDiscarded() {
        var decoder = OV528Decoder()
        decoder.feed([0xAA, 0x0D, 0x00])
        #expect(decoder.next() == nil)
        #expect(decoder.hasPartialMessage)
        #expect(decoder.discardPartial() == 3)
        decoder.feed(OV528Message.sync().encoded)
        #expect(decoder.next() == .message(.sync()))
    }

    @Test(arguments: [1, 3, 64, 600])
    func anExpectedPackageComesOutWholeThenMessagesAgain(split: Int) {
        let package = OV528Package(id: 0x00AA, data: Array(repeating: 0x55, count: 500)).encoded
        let outputs = decode(package + OV528Message.ack(.sync).encoded, split: split, expecting: (0x00AA, package.count))
        #expect(outputs == [.package(package), .message(.ack(.sync))])
    }

    @Test func aNAKInPlaceOfThePackageIsAMessage() {
        let nak = OV528Message.nak(.transferPackageNumber, counter: 1).encoded
        let outputs = decode(nak, expecting: (5, 512))
        #expect(outputs == [.message(.nak(.transferPackageNumber, counter: 1))])
        // Package 0x0FAA begins with AA 0F: it is the package.
        let lookalike = OV528Package(id: 0x0FAA, data: [1, 2, 3]).encoded
        #expect(decode(lookalike, expecting: (0x0FAA, lookalike.count)) == [.package(lookalike)])
    }
}
