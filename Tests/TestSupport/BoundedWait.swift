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
