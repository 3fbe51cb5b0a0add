import HAL
import HALSimulation
import Testing

/// Durations and byte counts as a hostile file, flag or peer might write them: everything
/// past what a node can mean is refused before any conversion, and thousands of seeded
/// random and extreme texts never trap.
@Suite struct HALHostileInputTests {
    @Test(arguments: [
        "9300000000s", "9223372036854775807", "10000000000", "2562048h", "106752d", "99999999999999999999ms",
        "18446744073709551616ns", String(repeating: "9", count: 400), "3153600001s",
    ])
    func durationsPastAHundredYearsAreRefused(text: String) {
        #expect(Duration(humanReadable: text) == nil)
        #expect(Duration.humanReadableProblem(text) == "must be at most 100 years")
    }

    @Test func aHundredYearsIsTheLongestDuration() {
        #expect(Duration(humanReadable: "36500d") == .seconds(100 * 365 * 86400))
        #expect(Duration(humanReadable: "36501d") == nil)
        #expect(Duration.humanReadableProblem("soon") == "must be a duration such as 20ms, 90s, 5m or 1h")
    }

    @Test(arguments: ["1e30", "9999999999999TB", "1048577TiB", "18446744073709551616", String(repeating: "9", count: 400)])
    func byteCountsPastOnePebibyteAreRefused(text: String) {
        #expect(ByteCount.parse(text) == nil)
        #expect(ByteCount.problem(text) == (text == "1e30" ? "must be a size such as 500MB, 20GB or 1.5GiB" : "must be at most 1 PiB"))
    }

    @Test func byteCountsAsPeopleWriteThem() {
        #expect(ByteCount.parse("500MB") == 500_000_000)
        #expect(ByteCount.parse("1.5GiB") == 1_610_612_736)
        #expect(ByteCount.parse(" 4096 ") == 4096)
        #expect(ByteCount.parse("1024TiB") == 1 << 50)
        #expect(ByteCount.parse("-1GB") == nil)
    }

    /// Seeded random and extreme texts: each parses to a value within the limit or is refused
    /// with a problem to report; none traps.
    @Test func thousandsOfRandomTextsNeverTrap() {
        var random = SeededRandom(seed: 0xD0_2A71_0115)
        let pieces = ["9", "0", ".", "1", "e", "-", "+", " ", "inf", "nan", "s", "ms", "us", "µs", "ns", "m", "min", "h", "d",
                      "B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "9223372036854775807", "\u{0}", "١٢", "x"]
        var tried = 0
        for _ in 0..<5000 {
            let text = (0..<Int(random.next() % 8)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            if let duration = Duration(humanReadable: text) {
                #expect(duration >= .zero && duration <= Duration.humanReadableLimit, "\(text)")
                _ = duration.humanReadable
            } else {
                #expect(!Duration.humanReadableProblem(text).isEmpty)
            }
            if let bytes = ByteCount.parse(text) {
                #expect(bytes >= 0 && bytes <= ByteCount.limit, "\(text)")
            } else {
                #expect(!ByteCount.problem(text).isEmpty)
            }
            tried += 1
        }
        #expect(tried == 5000)
    }

    @Test func secondsFromOutsideConvertWithoutTrapping() {
        for value in [Double.nan, .infinity, -.infinity, -1, 1e19, 9.3e9, Double.greatestFiniteMagnitude] {
            #expect(Duration(checkedSeconds: value) == nil, "\(value)")
        }
        #expect(Duration(checkedSeconds: 90.5) == .milliseconds(90_500))
        #expect(Int(saturating: .infinity) == .max && Int(saturating: -.infinity) == .min && Int(saturating: .nan) == 0)
        #expect(Int(saturating: 1e300) == .max && Int(saturating: 41.9) == 41)
    }

    @Test func wireTimeSaturatesForAnyCount() {
        let configuration = SerialConfiguration(baudRate: 9600)
        #expect(configuration.wireTime(forBytes: .max) > .seconds(1_000_000_000))
        #expect(configuration.wireTime(forBytes: 1 << 40) > .seconds(1_000_000))
        #expect(configuration.wireTime(forBytes: 960) == .seconds(1))
    }
}
