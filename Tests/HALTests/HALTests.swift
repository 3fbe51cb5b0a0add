import Testing
#if canImport(Glibc)
import Glibc
#endif

@testable import HAL

@Suite struct DebouncerTests {
    func at(_ ms: Int64) -> MonotonicInstant { .zero.advanced(by: .milliseconds(ms)) }

    @Test func aChangeIsConfirmedOnlyAfterThePeriod() {
        var debouncer = Debouncer(period: .milliseconds(20), initialValue: false)
        debouncer.observe(true, at: at(100))
        #expect(debouncer.confirmationDeadline == at(120))
        #expect(debouncer.confirm(now: at(119)) == nil)
        let confirmed = debouncer.confirm(now: at(120))
        #expect(confirmed?.value == true)
        #expect(confirmed?.settledAt == at(100))
        #expect(debouncer.stableValue == true)
    }

    @Test func aBounceBackCancelsThePendingChange() {
        var debouncer = Debouncer(period: .milliseconds(20), initialValue: false)
        debouncer.observe(true, at: at(100))
        debouncer.observe(false, at: at(105))
        #expect(debouncer.confirmationDeadline == nil)
        #expect(debouncer.confirm(now: at(500)) == nil)
        #expect(debouncer.stableValue == false)
    }

    @Test func theFilterReportsOnlyTheRequestedEdges() {
        var filter = EdgeFilter(settings: .input(edges: .falling), initialValues: [3: false])
        #expect(filter.observe(offset: 3, value: true, at: at(1)) == nil)
        #expect(filter.observe(offset: 3, value: true, at: at(2)) == nil)
        #expect(filter.observe(offset: 3, value: false, at: at(3)) == EdgeEvent(kind: .falling, offset: 3, timestamp: at(3)))
    }
}

@Suite struct DurationParsingTests {
    @Test(arguments: [
        ("90s", Duration.seconds(90)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
        ("250ms", .milliseconds(250)), ("1.5h", .seconds(5400)), ("2d", .seconds(172_800)), ("12", .seconds(12)),
    ])
    func parses(text: String, expected: Duration) {
        #expect(Duration(humanReadable: text) == expected)
    }

    @Test(arguments: ["", "fast", "5 parsecs", "-3s", "1e400s", "m"])
    func rejects(text: String) {
        #expect(Duration(humanReadable: text) == nil)
    }

    @Test func printsCompactly() {
        #expect(Duration.seconds(5400).humanReadable == "1h30m")
        #expect(Duration.milliseconds(20).humanReadable == "20ms")
        #expect(Duration.seconds(90).humanReadable == "1m30s")
    }
}

@Suite struct SerialConfigurationTests {
    @Test func wireTimeIsTenBitTimesPerByteFor8N1() {
        let configuration = SerialConfiguration(baudRate: 115200)
        #expect(configuration.bitsPerCharacter == 10)
        #expect(abs(configuration.wireTime(forBytes: 48_000).seconds - 4.1667) < 0.0001)
        #expect(SerialConfiguration(baudRate: 9600, parity: .even, stopBits: .two).bitsPerCharacter == 12)
    }

    @Test func anUnsupportedBaudIsAnInvalidArgument() {
        #expect(throws: HALError.self) { try SerialConfiguration(baudRate: 12345).validate(target: "/dev/ttyS0") }
        do {
            try SerialConfiguration(baudRate: 12345).validate(target: "/dev/ttyS0")
        } catch {
            #expect(error.kind == .invalidArgument)
            #expect(error.description.contains("12345"))
            #expect(error.description.contains("/dev/ttyS0"))
        }
    }
}

@Suite struct HALErrorTests {
    @Test func systemErrorsNameTheCallTheTargetAndTheErrno() {
        let error = HALError.system(2, operation: "open", target: "/dev/ttyUSB9")
        #expect(error.kind == .notFound)
        #expect(error.description == "open(/dev/ttyUSB9): No such file or directory (errno 2)")
        #expect(HALError.Kind(errno: 16) == .busy)
        #expect(HALError.Kind(errno: 13) == .permissionDenied)
    }

    @Test func chipSelectorsReadNumbersPathsAndLabels() {
        #expect(ChipSelector("2") == .number(2))
        #expect(ChipSelector("gpiochip4") == .number(4))
        #expect(ChipSelector("/dev/gpiochip0") == .path("/dev/gpiochip0"))
        #expect(ChipSelector("pinctrl-rp1") == .label("pinctrl-rp1"))
    }
}
