import HAL
import Node
@testable import Recorder

/// The duration, size and rectangle parsers of configuration values: whatever they accept must
/// lie within their documented limits, and nothing may trap (overflowing conversions included).
enum UnitHarness {
    static func duration(_ text: String) {
        if let duration = Duration(humanReadable: text) {
            require(duration >= .zero && duration <= Duration.humanReadableLimit, "\(text) parsed as \(duration)")
        } else {
            _ = Duration.humanReadableProblem(text)
        }
    }

    static func byteCount(_ text: String) {
        if let count = ByteCount.parse(text) {
            require((0...ByteCount.limit).contains(count), "\(text) parsed as \(count) bytes")
        } else {
            _ = ByteCount.problem(text)
        }
        if let size = NodeConfiguration.frameSize(text) {
            require(size.width >= 1 && size.height >= 1 && max(size.width, size.height) <= NodeConfiguration.largestFrameSide, "\(text) parsed as \(size)")
        }
    }

    /// Eight 64-bit numbers: a rectangle for the checked init, then the box it is tested against.
    static func rectangle(_ input: inout FuzzInput) {
        var numbers: [Int] = []
        for _ in 0..<8 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(input.byte()) << UInt64(shift) }
            numbers.append(Int(truncatingIfNeeded: value))
        }
        let limit = PixelRectangle.maximumCoordinate
        if let rectangle = PixelRectangle(checkedX: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3]) {
            require(rectangle.x >= 0 && rectangle.y >= 0 && rectangle.width > 0 && rectangle.height > 0, "\(rectangle) accepted")
            require(rectangle.x + rectangle.width <= limit && rectangle.y + rectangle.height <= limit, "\(rectangle) accepted")
            require(rectangle.isWithinLimits, "\(rectangle) accepted but not within limits")
        }
        let unchecked = PixelRectangle(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
        _ = unchecked.overlaps(left: numbers[4], top: numbers[5], right: numbers[6], bottom: numbers[7])
        _ = unchecked.isWithinLimits
        _ = unchecked.description
    }
}
