import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Signals the process takes as requests (SIGINT and SIGTERM to stop, SIGHUP to reload),
/// caught from the moment this is made, so that one sent early is not lost, and delivered as
/// an asynchronous sequence. Immutable after init.
final class ProcessSignals: AsyncSequence, @unchecked Sendable {
    typealias Element = Int32

    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    /// SIGINT and SIGTERM: the command ends cleanly (removing links, closing ptys, finishing movies).
    static func termination() -> ProcessSignals { ProcessSignals([SIGINT, SIGTERM]) }

    /// SIGHUP: read the configuration again.
    static func hangUp() -> ProcessSignals { ProcessSignals([SIGHUP]) }

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        sources = signals.map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            return source
        }
    }

    /// Returns when one of the signals arrives (or the task is cancelled).
    func wait() async {
        for await _ in stream { break }
    }

    func makeAsyncIterator() -> AsyncStream<Int32>.AsyncIterator { stream.makeAsyncIterator() }

    deinit { sources.forEach { $0.cancel() } }
}
