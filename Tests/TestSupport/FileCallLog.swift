import Files
import Synchronization

/// Records the file-system layer's calls, in order, and fails the ones a test chooses: install
/// ``observer`` with `FileSystem.$observer.withValue`.
public final class FileCallLog: Sendable {
    private let state = Mutex<[FileCall]>([])
    private let failure: @Sendable (FileCall) -> Int32?

    /// A log whose calls fail with the errno `failure` returns for them (nil: the call is made).
    public init(failing failure: @escaping @Sendable (FileCall) -> Int32? = { _ in nil }) {
        self.failure = failure
    }

    /// Every call seen so far.
    public var calls: [FileCall] { state.withLock { $0 } }

    /// The observer to install.
    public var observer: FileSystem.Observer {
        { call in
            self.state.withLock { $0.append(call) }
            return self.failure(call)
        }
    }
}
