import Testing

import JPEG

@Suite struct FrameDecoderTests {
    let codec = JPEGCodec()

    func frame(width: Int = 160, height: Int = 120, quality: Int = 80) throws -> [UInt8] {
        try codec.encode(try gradient(width: width, height: height, format: .rgb), quality: quality, subsampling: .s420)
    }

    @Test func theSameFrameIsDecodedOnce() throws {
        let decoder = FrameDecoder(format: .gray, scale: .half, codec: codec)
        let jpeg = try frame()
        let first = try decoder.decode(jpeg)
        let copy = Array(jpeg)  // equal bytes in another buffer count as the same frame
        let again = try decoder.decode(copy)
        #expect(decoder.decodeCount == 1)
        #expect(first.image == again.image)
        #expect(first.info.width == 160 && first.info.height == 120)
        #expect(first.image.width == 80 && first.image.height == 60 && first.image.format == .gray)
        #expect(first.image == (try codec.decode(jpeg, format: .gray, scale: .half)))
    }

    @Test func anotherFrameIsDecodedAgain() throws {
        let decoder = FrameDecoder(format: .gray, scale: .eighth, codec: codec)
        _ = try decoder.decode(try frame(quality: 80))
        let other = try decoder.decode(try frame(width: 320, height: 240, quality: 70))
        #expect(decoder.decodeCount == 2)
        #expect(other.info.width == 320 && other.image.width == 40)
    }

    @Test func aFrameThatDoesNotDecodeThrowsAndIsNotRemembered() throws {
        let decoder = FrameDecoder(codec: codec)
        let jpeg = try frame()
        _ = try decoder.decode(jpeg)
        #expect(throws: JPEGError.self) { try decoder.decode([0xFF, 0xD8, 0xFF, 0xD9]) }
        _ = try decoder.decode(jpeg)
        #expect(decoder.decodeCount == 1)
    }
}
