import Synchronization

/// One producer's values handed to any number of subscribers, each through a buffer of its own
/// that holds at most a set number of values: a subscriber that falls behind loses its oldest
/// values (counted in ``Subscription/dropped`` and ``dropped``), and the producer never waits.
/// Values are passed as they are: an array's storage is shared by every subscriber, not copied.
///
/// Thread safety: every member may be called from any task or thread.
public final class Broadcast<Element: Sendable>: Sendable {
    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        var latest: Element?
        var finished = false
    }

    private struct Subscriber {
        let continuation: AsyncStream<Element>.Continuation
        let drops: DropCounter
    }

    private let state = Mutex(State())
    private let droppedTotal = Atomic<Int>(0)
    /// The buffer a subscriber gets unless it asks for another.
    public let defaultBufferSize: Int

    /// - Parameter defaultBufferSize: how many values a subscriber's buffer holds (at least 1).
    public init(defaultBufferSize: Int) {
        self.defaultBufferSize = max(1, defaultBufferSize)
    }

    /// A new subscriber's values: from the next one published (after the latest one first,
    /// with `replayLatest`) until ``finish()``, or until the subscribing task is cancelled.
    public func subscribe(bufferSize: Int? = nil, replayLatest: Bool = false) -> Subscription<Element> {
        let drops = DropCounter()
        let (stream, continuation) = AsyncStream.makeStream(
            of: Element.self, bufferingPolicy: .bufferingNewest(max(1, bufferSize ?? defaultBufferSize)))
        let id: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(continuation: continuation, drops: drops)
            if replayLatest, let latest = state.latest { continuation.yield(latest) }
            return id
        }
        if let id {
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return Subscription(stream: stream, drops: drops)
    }

    /// Hands `value` to every subscriber without waiting; remembers it as the latest.
    public func publish(_ value: Element) {
        state.withLock { state in
            guard !state.finished else { return }
            state.latest = value
            for subscriber in state.subscribers.values {
                if case .dropped = subscriber.continuation.yield(value) {
                    subscriber.drops.add()
                    droppedTotal.add(1, ordering: .relaxed)
                }
            }
        }
    }

    /// Ends every subscription once its buffer is read; later subscriptions end at once.
    public func finish() {
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        // Outside the lock: finishing calls onTermination, which takes it.
        for subscriber in subscribers { subscriber.continuation.finish() }
    }

    /// The last value published, if any.
    public var latest: Element? { state.withLock { $0.latest } }

    /// How many subscriptions are open.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Values lost by all subscribers so far, because their buffers were full.
    public var dropped: Int { droppedTotal.load(ordering: .relaxed) }
}

/// One subscriber's values from a ``Broadcast``.
public struct Subscription<Element: Sendable>: AsyncSequence, Sendable {
    let stream: AsyncStream<Element>
    let drops: DropCounter

    /// Values this subscriber lost because it read too slowly.
    public var dropped: Int { drops.value }

    public func makeAsyncIterator() -> AsyncStream<Element>.AsyncIterator { stream.makeAsyncIterator() }
}

final class DropCounter: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
