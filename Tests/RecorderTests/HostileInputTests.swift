import HALSimulation
import Testing
@testable import Recorder

/// Mask rectangles as a hostile configuration might give them: near `Int.max`, negative,
/// empty, or reaching past any frame. Refused by the checked initialiser and by
/// `validate()`, and the overlap test never overflows, whatever the rectangle holds.
@Suite struct RecorderHostileInputTests {
    @Test(arguments: [
        (Int.max, 0, 1, 1), (0, Int.max, 1, 1), (1, 0, Int.max, 1), (0, 1, 1, Int.max), (Int.max - 1, 0, 10, 10),
        (-1, 0, 10, 10), (0, 0, 0, 10), (0, 0, 10, -5), (65_535, 0, 1, 1), (60_000, 0, 6_000, 1), (Int.min, Int.min, Int.max, Int.max),
    ])
    func rectanglesBeyondAnyFrameAreRefused(x: Int, y: Int, width: Int, height: Int) {
        #expect(PixelRectangle(checkedX: x, y: y, width: width, height: height) == nil)
        var settings = MotionDetectorSettings()
        settings.masks = [PixelRectangle(x: x, y: y, width: width, height: height)]
        #expect(throws: MotionDetectorError.self) { try settings.validate() }
        // Whatever it holds, asking whether it overlaps a block cannot trap.
        _ = settings.masks[0].overlaps(left: 0, top: 0, right: 8, bottom: 8)
        _ = settings.masks[0].overlaps(left: Int.max - 8, top: Int.max - 8, right: Int.max, bottom: Int.max)
    }

    @Test func aRectangleInsideTheLimitIsKept() {
        let rectangle = PixelRectangle(checkedX: 0, y: 0, width: 65_535, height: 65_535)
        #expect(rectangle == PixelRectangle(x: 0, y: 0, width: 65_535, height: 65_535))
        #expect(rectangle?.overlaps(left: 8, top: 8, right: 16, bottom: 16) == true)
    }

    /// Seeded random rectangles, half of them made of extreme values: each is refused, or
    /// accepted with every edge inside the limit; overlap tests never trap.
    @Test func thousandsOfRandomRectanglesNeverTrap() {
        var random = SeededRandom(seed: 0x2EC7)
        let extremes = [Int.min, Int.min + 1, -1, 0, 1, 65_534, 65_535, 65_536, Int.max - 1, Int.max]
        func value() -> Int {
            random.next() % 2 == 0 ? extremes[Int(random.next() % UInt64(extremes.count))] : Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 64)
        }
        var accepted = 0
        for _ in 0..<5000 {
            let (x, y, width, height) = (value(), value(), value(), value())
            let unchecked = PixelRectangle(x: x, y: y, width: width, height: height)
            _ = unchecked.overlaps(left: value(), top: value(), right: value(), bottom: value())
            if let rectangle = PixelRectangle(checkedX: x, y: y, width: width, height: height) {
                accepted += 1
                #expect(rectangle.x + rectangle.width <= PixelRectangle.maximumCoordinate)
                #expect(rectangle.y + rectangle.height <= PixelRectangle.maximumCoordinate)
                #expect(rectangle.width > 0 && rectangle.height > 0 && rectangle.x >= 0 && rectangle.y >= 0)
            }
        }
        #expect(accepted < 5000)
    }
}
