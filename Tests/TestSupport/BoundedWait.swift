import Foundation

/// A bounded wait that ran out: what was awaited, and for how long.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Checks `condition` every `interval` until it holds; throws ``WaitTimedOut``, naming `what`
/// and the bound, once `limit` has passed without it holding.
///
/// For waits on what virtual time cannot reach: a real process, a pseudo-terminal's other end,
/// a kernel's queue. Everything simulated waits on virtual time instead. A `condition` that
/// may block belongs on a thread of its own (``onThreadOfItsOwn(_:)``).
public func waitUntil(
    _ what: @autoclosure () -> String, within limit: Duration, every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(description: "gave up after \(limit) waiting for \(what())") }
        try await Task.sleep(for: interval)
    }
}

/// ``waitUntil(_:within:every:_:)`` for synchronous code: the calling thread sleeps between
/// checks, so they keep their pace however busy Swift's task pool is (when the moment matters,
/// such as catching a process in the middle of its work).
public func waitBlockingUntil(
    _ what: @autoclosure () -> String, within limit: Duration, every interval: Duration = .milliseconds(10),
    _ condition: () throws -> Bool
) throws {
    let deadline = ContinuousClock.now + limit
    let (seconds, attoseconds) = interval.components
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(description: "gave up after \(limit) waiting for \(what())") }
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }
}
