import Testing

@testable import HALLinux

/// How a port learns when its replies end: late replies move the wake-up later (in bounded
/// steps), replies found whole move it slowly earlier.
@Suite struct ReplyLagTests {
    @Test func aShortReplyMovesTheWakeUpToWhenItEndedInBoundedSteps() {
        let lag = ReplyLag()
        #expect(lag.estimate == .zero)
        // 3 ms late, 0.1 ms margin: each step is bounded to twice the estimate and 1 ms.
        lag.learn(late: .milliseconds(3), margin: .microseconds(100))
        #expect(lag.estimate == .milliseconds(1))
        lag.learn(late: .milliseconds(3), margin: .microseconds(100))
        #expect(lag.estimate == .milliseconds(3))
        lag.learn(late: .milliseconds(3), margin: .microseconds(100))
        #expect(lag.estimate == .microseconds(3_100))
        // A reply that ended sooner than the estimate, though found short, does not shorten it.
        lag.learn(late: .milliseconds(1), margin: .microseconds(100))
        #expect(lag.estimate == .microseconds(3_100))
    }

    @Test func aWholeReplyMovesTheWakeUpAThirtySecondEarlier() {
        let lag = ReplyLag()
        lag.learn(late: .microseconds(900), margin: .microseconds(100))
        #expect(lag.estimate == .milliseconds(1))
        lag.shorten()
        #expect(lag.estimate == .nanoseconds(1_000_000 - 1_000_000 / 32))
    }

    @Test func oneStalledReplyDoesNotMakeTheLagHuge() {
        let lag = ReplyLag()
        for _ in 0..<20 { lag.learn(late: .seconds(10), margin: .zero) }
        #expect(lag.estimate == .nanoseconds(ReplyLag.ceiling))
        lag.learn(late: .seconds(-1), margin: .zero)
        #expect(lag.estimate == .nanoseconds(ReplyLag.ceiling))
    }
}
