#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HAL
import JPEG

@testable import Scenes

/// `seconds` after the scene's start.
func at(_ seconds: Double) -> MonotonicInstant {
    MonotonicInstant(nanoseconds: Int64((seconds * 1e9).rounded()))
}

let codec = JPEGCodec()

/// Mean luma and the largest difference between any two channels of a pixel.
func statistics(_ image: Image) -> (meanLuma: Double, maxChannelSpread: Int, meanChannelSpread: Double) {
    var luma = 0
    var spread = 0
    var spreadTotal = 0
    for pixel in stride(from: 0, to: image.pixels.count, by: 3) {
        let (r, g, b) = (Int(image.pixels[pixel]), Int(image.pixels[pixel + 1]), Int(image.pixels[pixel + 2]))
        luma += (77 * r + 150 * g + 29 * b) >> 8
        let pixelSpread = max(r, g, b) - min(r, g, b)
        spread = max(spread, pixelSpread)
        spreadTotal += pixelSpread
    }
    let count = Double(image.pixels.count / 3)
    return (Double(luma) / count, spread, Double(spreadTotal) / count)
}

/// A fresh, empty temporary directory, removed by the caller.
func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-scenes-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
