import Testing

@testable import CameraProtocols

@Suite struct VC0706RequestDecoderTests {
    /// Decodes `bytes` fed in pieces of `split` bytes.
    func decode(_ bytes: [UInt8], split: Int = 1) -> [VC0706RequestDecoder.Output] {
        var decoder = VC0706RequestDecoder()
        var outputs: [VC0706RequestDecoder.Output] = []
        var index = 0
        while index < bytes.count {
            decoder.feed(bytes[index..<min(index + split, bytes.count)])
            index += split
            while let output = decoder.next() { outputs.append(output) }
        }
        return outputs
    }

    static let session: [VC0706Request] = [
        .getVersion(), .reset(), .setImageSize(.qvga), .setCompression(0x36), .frameBufferControl(.stopCurrent),
        .getFrameBufferLength(), .readFrameBuffer(address: 0, length: 0x1234), .commMotionControl(enabled: true),
        .setPort(baud: 115200)!, .readData(.i2cEEPROM, address: VC0706.imageSizeAddress),
    ]

    @Test(arguments: [1, 2, 3, 7, 1000])
    func requestsSurviveAnySplit(split: Int) {
        let bytes = Self.session.flatMap(\.encoded)
        #expect(decode(bytes, split: split) == Self.session.map { .request($0) })
    }

    @Test func theLibrariesRequestBytesAreWhatTheTableSays() {
        #expect(VC0706Request.getVersion().encoded == [0x56, 0x00, 0x11, 0x00])
        #expect(VC0706Request.reset().encoded == [0x56, 0x00, 0x26, 0x00])
        #expect(VC0706Request.setPort(baud: 115200)!.encoded == [0x56, 0x00, 0x24, 0x03, 0x01, 0x0D, 0xA6])
        #expect(VC0706Request.frameBufferControl(.resume).encoded == [0x56, 0x00, 0x36, 0x01, 0x03])
        #expect(VC0706Request.getFrameBufferLength().encoded == [0x56, 0x00, 0x34, 0x01, 0x00])
        #expect(VC0706Request.readFrameBuffer(address: 0x20, length: 0x1000).encoded
            == [0x56, 0x00, 0x32, 0x0C, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x10, 0x00, 0x00, 0x0A])
        #expect(VC0706Request.setImageSize(.qqvga).encoded == [0x56, 0x00, 0x31, 0x05, 0x04, 0x01, 0x00, 0x19, 0x22])
        #expect(VC0706Request.commMotionControl(enabled: true).encoded == [0x56, 0x00, 0x37, 0x01, 0x01])
        #expect(VC0706.baud(forCode: 0x1C4C) == 57600)
    }

    @Test func strayBytesBeforeARequestAreSkipped() {
        var decoder = VC0706RequestDecoder()
        decoder.feed([0x00, 0xFF, 0x13, 0x11] + VC0706Request.getVersion().encoded)
        #expect(decoder.next() == .request(.getVersion()))
        #expect(decoder.skippedBytes == 4)
    }

    @Test func aWrongLengthByteIsRejectedAndTheNextRequestStillDecodes() {
        let bad: [UInt8] = [0x56, 0x00, 0x36, 0x02, 0x03, 0x00]  // FBUF_CTRL with LEN 2
        let outputs = decode(bad + VC0706Request.getVersion().encoded)
        #expect(outputs.first == .rejected(serial: 0, command: 0x36, status: .wrongDataLength))
        #expect(outputs.last == .request(.getVersion()))
    }

    @Test func anUnknownCommandIsRejectedAfterItsData() {
        let outputs = decode([0x56, 0x00, 0x99, 0x02, 0xAA, 0xBB] + VC0706Request.reset().encoded)
        #expect(outputs == [.rejected(serial: 0, command: 0x99, status: .commandNotReceived), .request(.reset())])
    }

    @Test func aTruncatedRequestFollowedAtOnceByAGoodOneCostsOnlyTheTruncatedOne() {
        // `56 00 11` lost its length byte; the good request's 56 is read as the length.
        let outputs = decode([0x56, 0x00, 0x11] + VC0706Request.getVersion().encoded)
        #expect(outputs == [.rejected(serial: 0, command: 0x11, status: .wrongDataLength), .request(.getVersion())])
    }

    @Test func aPartialRequestCanBeDiscardedAfterATimeout() {
        var decoder = VC0706RequestDecoder()
        decoder.feed([0x56, 0x00, 0x36, 0x01])
        #expect(decoder.next() == nil)
        #expect(decoder.hasPartialRequest)
        decoder.discardPartial()
        decoder.feed(VC0706Request.frameBufferControl(.resume).encoded)
        #expect(decoder.next() == .request(.frameBufferControl(.resume)))
    }

    @Test func versionWithTheOnePopularLibrarysLengthOneIsAccepted() {
        #expect(decode([0x56, 0x00, 0x11, 0x01, 0x00]) == [.request(VC0706Request(.genVersion, [0x00]))])
    }
}

@Suite struct VC0706ReplyDecoderTests {
    func decode(_ bytes: [UInt8], split: Int = 1, imageLength: Int? = nil) -> [VC0706ReplyDecoder.Output] {
        var decoder = VC0706ReplyDecoder()
        if let imageLength { decoder.expectImageData(length: imageLength) }
        var outputs: [VC0706ReplyDecoder.Output] = []
        var index = 0
        while index < bytes.count {
            decoder.feed(bytes[index..<min(index + split, bytes.count)])
            index += split
            while let output = decoder.next() { outputs.append(output) }
        }
        return outputs
    }

    /// Joins consecutive image pieces so outputs compare independently of the split.
    func merged(_ outputs: [VC0706ReplyDecoder.Output]) -> [VC0706ReplyDecoder.Output] {
        var result: [VC0706ReplyDecoder.Output] = []
        for output in outputs {
            if case .imageData(let piece) = output, case .imageData(let previous)? = result.last {
                result[result.count - 1] = .imageData(previous + piece)
            } else {
                result.append(output)
            }
        }
        return result
    }

    @Test(arguments: [1, 2, 5, 64, 100_000])
    func aResetReplyAndTheBannerDecodeInAnySplit(split: Int) {
        let bytes = VC0706Reply(.systemReset).encoded + Array(VC0706.bootBanner.utf8)
        #expect(decode(bytes, split: split) == [
            .reply(VC0706Reply(.systemReset)), .text("VC0703 1.00"), .text("Ctrl infr exist"),
            .text("User-defined sensor"), .text("625"), .text("Init end"),
        ])
    }

    @Test(arguments: [1, 3, 32, 4096])
    func imageDataIsPassedThroughWhateverItContains(split: Int) {
        // Image bytes full of reply marks, CR LF and the motion message must not be parsed.
        // Built in steps: Swift 6.2's type checker gives up on the one-expression form.
        var image: [UInt8] = [0xFF, 0xD8]
        image += VC0706Reply.motionDetected.encoded
        image += [0x76, 0x0D, 0x0A, 0x56]
        image += (0..<300).map { (value: Int) -> UInt8 in UInt8(value % 256) }
        image += [0xFF, 0xD9]
        let header = VC0706Reply(.readFrameBuffer)
        let outputs = merged(decode(header.encoded + image + header.encoded, split: split, imageLength: image.count))
        #expect(outputs == [.reply(header), .imageData(image), .reply(header)])
    }

    @Test func motionMessagesArriveAsEventsBetweenReplies() {
        let bytes = VC0706Reply.motionDetected.encoded + VC0706Reply(.getFrameBufferLength, data: [0, 0, 0x12, 0x34]).encoded
        #expect(decode(bytes) == [.motionDetected, .reply(VC0706Reply(.getFrameBufferLength, data: [0, 0, 0x12, 0x34]))])
    }

    @Test func garbageIsSkippedAndCounted() {
        var decoder = VC0706ReplyDecoder()
        decoder.feed([0x00, 0x9A, 0xFE] + VC0706Reply(.genVersion, data: Array(VC0706.versionString.utf8)).encoded)
        #expect(decoder.next() == .reply(VC0706Reply(.genVersion, data: Array(VC0706.versionString.utf8))))
        #expect(decoder.discardedBytes == 3)
    }

    @Test func aFailedReadFrameBufferDoesNotSwallowTheFollowingBytesAsImage() {
        let failed = VC0706Reply(.readFrameBuffer, status: .cannotExecuteNow)
        let outputs = decode(failed.encoded + VC0706Reply(.genVersion).encoded, imageLength: 1000)
        #expect(outputs == [.reply(failed), .reply(VC0706Reply(.genVersion))])
    }
}
