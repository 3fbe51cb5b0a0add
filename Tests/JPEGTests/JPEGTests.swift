import Foundation
import TestSupport
import Testing

import JPEG

/// A smooth colour gradient with a little structure, deterministic.
func gradient(width: Int, height: Int, format: PixelFormat) throws -> Image {
    let channels = format.bytesPerPixel
    var pixels = [UInt8](repeating: 0, count: width * height * channels)
    for y in 0..<height {
        for x in 0..<width {
            let base = (y * width + x) * channels
            pixels[base] = UInt8((x * 255) / max(1, width - 1))
            if channels == 3 {
                pixels[base + 1] = UInt8((y * 255) / max(1, height - 1))
                pixels[base + 2] = UInt8(((x + y) * 255) / max(1, width + height - 2))
            }
        }
    }
    return try Image(width: width, height: height, format: format, pixels: pixels)
}

func meanAbsoluteError(_ a: Image, _ b: Image) -> Double {
    precondition(a.pixels.count == b.pixels.count)
    var total = 0
    for index in a.pixels.indices { total += abs(Int(a.pixels[index]) - Int(b.pixels[index])) }
    return Double(total) / Double(a.pixels.count)
}

@Suite struct JPEGCodecTests {
    let codec = JPEGCodec()

    @Test(arguments: PixelFormat.allCases)
    func aGradientRoundTripsCloselyAtQuality80(format: PixelFormat) throws {
        let image = try gradient(width: 320, height: 240, format: format)
        let jpeg = try codec.encode(image, quality: 80, subsampling: .s420)
        let decoded = try codec.decode(jpeg, format: format)
        #expect(decoded.width == 320 && decoded.height == 240 && decoded.format == format)
        let error = meanAbsoluteError(image, decoded)
        #expect(error < 2.5, "mean absolute error \(error)")
    }

    @Test(arguments: [Subsampling.s420, .s422, .s444, .gray])
    func everySubsamplingIsWrittenAndReadBack(subsampling: Subsampling) throws {
        let jpeg = try codec.encode(try gradient(width: 64, height: 48, format: .rgb), quality: 75, subsampling: subsampling)
        #expect(try codec.info(jpeg) == JPEGInfo(width: 64, height: 48, subsampling: subsampling))
    }

    @Test func aGrayImageIsAlwaysAGrayJPEG() throws {
        let jpeg = try codec.encode(try gradient(width: 32, height: 16, format: .gray), quality: 90, subsampling: .s420)
        #expect(try codec.info(jpeg).subsampling == .gray)
        let rgb = try codec.decode(jpeg, format: .rgb)
        for pixel in stride(from: 0, to: rgb.pixels.count, by: 3) {
            #expect(rgb.pixels[pixel] == rgb.pixels[pixel + 1] && rgb.pixels[pixel + 1] == rgb.pixels[pixel + 2])
        }
    }

    @Test func theOutputIsACompleteStream() throws {
        let jpeg = try codec.encode(try gradient(width: 100, height: 75, format: .rgb), quality: 50)
        #expect(Array(jpeg.prefix(2)) == [0xFF, 0xD8])
        #expect(Array(jpeg.suffix(2)) == [0xFF, 0xD9])
        #expect(JPEG.isComplete(jpeg))
        #expect(!JPEG.isComplete(jpeg.dropLast()))
        #expect(!JPEG.isComplete(jpeg.dropFirst()))
        #expect(!JPEG.isComplete([0xFF, 0xD8, 0xFF]))
        #expect(JPEG.isComplete([0xFF, 0xD8, 0xFF, 0xD9]))
    }

    @Test(arguments: [(ScalingFactor.one, 640, 480), (.half, 320, 240), (.quarter, 160, 120), (.eighth, 80, 60)])
    func decodingAtAReducedScaleShrinksTheImage(scale: ScalingFactor, width: Int, height: Int) throws {
        let jpeg = try codec.encode(try gradient(width: 640, height: 480, format: .rgb), quality: 75)
        for format in PixelFormat.allCases {
            let image = try codec.decode(jpeg, format: format, scale: scale)
            #expect(image.width == width && image.height == height)
            #expect(image.pixels.count == width * height * format.bytesPerPixel)
        }
    }

    @Test func scalingRoundsUpAndUnsupportedFactorsAreRefused() throws {
        let jpeg = try codec.encode(try gradient(width: 101, height: 33, format: .rgb), quality: 75)
        let image = try codec.decode(jpeg, format: .gray, scale: .eighth)
        #expect(image.width == 13 && image.height == 5)
        #expect(ScalingFactor.supported.contains(.half))
        #expect(ScalingFactor(2, 4) == .half)
        #expect(ScalingFactor(1, 0) == nil && ScalingFactor(-1, 2) == nil)
        let third = try #require(ScalingFactor(1, 3))
        let error = #expect(throws: JPEGError.self) { try codec.decode(jpeg, scale: third) }
        #expect(error?.call == "JPEGCodec.decode")
        let limited = JPEGCodec(maximumDecodedPixels: 1000)
        #expect(throws: JPEGError.self) { try limited.decode(jpeg) }
        #expect(try limited.decode(jpeg, scale: .eighth).width == 13)
    }

    @Test func scalingFactorsReadAndWriteTheirText() throws {
        #expect(ScalingFactor("1/8") == .eighth && ScalingFactor("2/4") == .half && ScalingFactor("1") == .one)
        for bad in ["", "1/", "/8", "1/0", "-1/8", "1 / 8", "a/b", "1/2/3"] {
            #expect(ScalingFactor(bad) == nil, "\(bad)")
        }
        let json = try JSONEncoder().encode([ScalingFactor.quarter])
        #expect(String(decoding: json, as: UTF8.self) == #"["1\/4"]"# || String(decoding: json, as: UTF8.self) == #"["1/4"]"#)
        #expect(try JSONDecoder().decode([ScalingFactor].self, from: json) == [.quarter])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ScalingFactor].self, from: Data(#"["0/1"]"#.utf8)) }
    }

    @Test func truncatedAndGarbageStreamsThrowNamedErrors() throws {
        let jpeg = try codec.encode(try gradient(width: 320, height: 240, format: .rgb), quality: 80)
        let truncated = Array(jpeg.prefix(jpeg.count / 2))
        let cut = #expect(throws: JPEGError.self) { try codec.decode(truncated) }
        #expect(cut?.call == "tjDecompress2")
        #expect(cut?.severity == .warning)
        #expect(cut?.message.isEmpty == false)

        var generator = SplitMix(seed: 7)
        let garbage = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let header = #expect(throws: JPEGError.self) { try codec.info(garbage) }
        #expect(header?.call == "tjDecompressHeader3")
        #expect(header?.description.contains("tjDecompressHeader3") == true)
        #expect(throws: JPEGError.self) { try codec.decode(garbage, format: .gray) }
        #expect(throws: JPEGError.self) { try codec.decode([]) }
        #expect(throws: JPEGError.self) { try codec.decode(Array(jpeg.prefix(20))) }
        // A header followed by garbage.
        #expect(throws: JPEGError.self) { try codec.decode(Array(jpeg.prefix(600)) + garbage) }
    }

    @Test func badArgumentsAreRefusedBeforeAnyCall() throws {
        #expect(throws: JPEGError.self) { try Image(width: 2, height: 2, format: .rgb, pixels: [0, 0, 0]) }
        #expect(throws: JPEGError.self) { try Image(width: 0, height: 2, format: .gray, pixels: []) }
        var image = try Image(width: 8, height: 8, format: .rgb, filledWith: 128)
        let error = #expect(throws: JPEGError.self) { try codec.encode(image, quality: 0) }
        #expect(error?.call == "JPEGCodec.encode")
        #expect(throws: JPEGError.self) { try codec.encode(image, quality: 101) }
        image.pixels.removeLast(100)
        let shrunk = #expect(throws: JPEGError.self) { try codec.encode(image, quality: 80) }
        #expect(shrunk?.call == "JPEGCodec.encode")
        #expect(throws: JPEGError.self) { try image.resized(width: 4, height: 4) }
    }

    @Test func resizingAveragesWhenShrinkingAndRepeatsWhenEnlarging() throws {
        let image = try Image(width: 4, height: 2, format: .gray, pixels: [0, 10, 20, 30, 40, 50, 60, 70])
        #expect(try image.resized(width: 2, height: 1).pixels == [25, 45])
        #expect(try image.resized(width: 8, height: 2).pixels == [0, 0, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70])
        #expect(try image.resized(width: 4, height: 2) == image)
        let rgb = try Image(width: 2, height: 1, format: .rgb, pixels: [10, 20, 30, 50, 60, 70])
        #expect(try rgb.resized(width: 1, height: 2).pixels == [30, 40, 50, 30, 40, 50])
        #expect(throws: JPEGError.self) { try rgb.resized(width: 0, height: 2) }
    }

    @Test func oddSizesAndTinyImagesWork() throws {
        for (width, height) in [(1, 1), (7, 3), (17, 9), (33, 65)] {
            for format in PixelFormat.allCases {
                let image = try Image(width: width, height: height, format: format, filledWith: 200)
                let jpeg = try codec.encode(image, quality: 90, subsampling: .s420)
                let decoded = try codec.decode(jpeg, format: format)
                #expect(decoded.width == width && decoded.height == height)
                #expect(decoded.pixels.allSatisfy { abs(Int($0) - 200) <= 2 })
            }
        }
    }

    @Test func concurrentCallsOnOneCodecAgree() async throws {
        let codec = self.codec
        let image = try gradient(width: 160, height: 120, format: .rgb)
        let reference = try codec.encode(image, quality: 70)
        let results = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 {
                group.addTask {
                    let jpeg = try codec.encode(image, quality: 70)
                    _ = try codec.decode(jpeg, format: .gray, scale: .quarter)
                    return jpeg
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 == reference })
    }

    @Test(.enabled(if: Djpeg.isAvailable, Comment(rawValue: Djpeg.missing)), arguments: [Subsampling.s420, .s422, .gray])
    func djpegDecodesOurOutput(subsampling: Subsampling) throws {
        let jpeg = try codec.encode(try gradient(width: 640, height: 480, format: .rgb), quality: 80, subsampling: subsampling)
        let result = try Djpeg.decode(jpeg)
        #expect(result.status == 0, "djpeg: \(result.stderr)")
        #expect(result.stderr.isEmpty, "djpeg warned: \(result.stderr)")
        #expect(result.width == 640 && result.height == 480)
    }
}

/// SplitMix64, for deterministic garbage.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
