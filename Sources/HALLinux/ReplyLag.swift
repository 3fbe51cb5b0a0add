import HAL
import Synchronization

/// How long after its wire-time end the last byte of a port's replies comes, learnt reply by
/// reply: a device that answers after a pause, or hands bytes over in bursts (a UART's FIFO, a
/// USB adapter, a pty bridge), gives a reply's end later than the baud alone says.
///
/// A read sleeps until the wire-time end plus ``estimate``, less a margin. A wake-up that found
/// the reply whole (``shorten()``) brings the next a little earlier, since the reply may have come
/// sooner; one that found it short (``learn(late:margin:)``) moves the next to when this reply's
/// end came. So most replies cost one wake-up, a few two, and a wake-up is rarely much later
/// than the reply's end.
final class ReplyLag: Sendable {
    private let nanoseconds = Atomic<Int64>(0)

    /// The lag to allow for now (never negative, at most ``ceiling``).
    var estimate: Duration { .nanoseconds(nanoseconds.load(ordering: .relaxed)) }

    /// A wake-up at the estimate found the reply whole: the next one comes a 32nd earlier.
    func shorten() {
        let old = nanoseconds.load(ordering: .relaxed)
        nanoseconds.store(old - old / 32, ordering: .relaxed)
    }

    /// A wake-up at the estimate, `margin` before it, found the reply short, and its end came
    /// `late` after its wire-time end: the next wake-up comes then, but the estimate grows to at
    /// most twice what it was and a millisecond, so that one stalled reply does not make the
    /// following ones oversleep.
    func learn(late: Duration, margin: Duration) {
        let old = nanoseconds.load(ordering: .relaxed)
        let wanted = max((late + margin).nanoseconds, old)
        let bound = min(old.multipliedReportingOverflow(by: 2).partialValue + Self.growth, Self.ceiling)
        nanoseconds.store(max(min(wanted, bound), 0), ordering: .relaxed)
    }

    /// The most the estimate grows by, beyond doubling, at one short reply.
    static let growth: Int64 = 1_000_000
    /// The most lag allowed for (a USB adapter's latency timer is 16 ms at its slowest default).
    static let ceiling: Int64 = 25_000_000
}
