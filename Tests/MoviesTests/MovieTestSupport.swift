import Foundation
import HALSimulation
import JPEG
import TestSupport
import Testing

@testable import Movies

#if canImport(Glibc)
    import Glibc
#endif

/// Real JPEG frames: a colour gradient that shifts with the frame number, which is drawn in
/// large digits in the top-left corner.
enum TestFrames {
    static let codec = JPEGCodec()

    static func jpeg(number: Int, width: Int = 640, height: Int = 480, quality: Int = 75) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let base = (y * width + x) * 3
                pixels[base] = UInt8(truncatingIfNeeded: x * 255 / max(1, width - 1) + number * 3)
                pixels[base + 1] = UInt8(truncatingIfNeeded: y * 255 / max(1, height - 1) + number * 5)
                pixels[base + 2] = UInt8(truncatingIfNeeded: (x + y) / 4 + number * 7)
            }
        }
        let scale = max(1, min(width, height) / 40)
        for (position, digit) in String(number).enumerated() {
            draw(digit: digit, at: (2 + position * 4) * scale, scale: scale, into: &pixels, width: width, height: height)
        }
        let image = try Image(width: width, height: height, format: .rgb, pixels: pixels)
        return try codec.encode(image, quality: quality)
    }

    /// 3x5 pixel digits.
    private static let font: [Character: [String]] = [
        "0": ["###", "#.#", "#.#", "#.#", "###"], "1": [".#.", "##.", ".#.", ".#.", "###"],
        "2": ["###", "..#", "###", "#..", "###"], "3": ["###", "..#", "###", "..#", "###"],
        "4": ["#.#", "#.#", "###", "..#", "..#"], "5": ["###", "#..", "###", "..#", "###"],
        "6": ["###", "#..", "###", "#.#", "###"], "7": ["###", "..#", "..#", "..#", "..#"],
        "8": ["###", "#.#", "###", "#.#", "###"], "9": ["###", "#.#", "###", "..#", "###"],
    ]

    private static func draw(digit: Character, at left: Int, scale: Int, into pixels: inout [UInt8], width: Int, height: Int) {
        guard let rows = font[digit] else { return }
        for (row, pattern) in rows.enumerated() {
            for (column, mark) in pattern.enumerated() where mark == "#" {
                for dy in 0..<scale {
                    for dx in 0..<scale {
                        let x = left + column * scale + dx
                        let y = 2 * scale + row * scale + dy
                        guard x < width, y < height else { continue }
                        let base = (y * width + x) * 3
                        pixels[base] = 255
                        pixels[base + 1] = 255
                        pixels[base + 2] = 255
                    }
                }
            }
        }
    }

    /// Capture times starting at `start`, 66...134 ms apart, from a seeded generator.
    static func irregularTimes(count: Int, seed: UInt64, start: Duration = .zero) -> [Duration] {
        var generator = SeededRandom(seed: seed)
        var time = start
        return (0..<count).map { index in
            if index > 0 { time += .milliseconds(Int.random(in: 66...134, using: &generator)) }
            return time
        }
    }
}

/// The summary a writer should report for frames at `times` (relative to the first).
func expectedTiming(_ times: [Duration]) -> FrameTiming {
    var timing = FrameTiming()
    for time in times { _ = timing.add((time - times[0]).roundedMilliseconds ?? 0) }
    return timing
}

/// The ``MovieError`` `body` throws, or nil if it throws nothing (or something else).
func movieError(_ body: () throws -> Void) -> MovieError? {
    do {
        try body()
        return nil
    } catch {
        return error as? MovieError
    }
}

func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
