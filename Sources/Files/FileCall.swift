import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One system call of the file-system layer, as an observer sees it (see
/// ``FileSystem/observer``).
public struct FileCall: Sendable, Hashable, CustomStringConvertible {
    /// The call: `open`, `write`, `fsync`, `close`, `rename`, `mkdir`, ...
    public var name: String
    /// The path it acts on (for `rename`, the destination; for a folder's `fsync`, the folder).
    public var path: String

    /// The call `name` on `path`.
    public init(_ name: String, _ path: String) {
        self.name = name
        self.path = path
    }

    /// `name path`.
    public var description: String { "\(name) \(path)" }
}

extension FileSystem {
    /// Sees every system call the layer makes in this task and its child tasks, in order,
    /// just before it is made, and may make it fail by returning an `errno` (the call is then
    /// not made). Nil, the default, observes nothing. Lets a test check the order of a publish
    /// or meet `ENOSPC` without filling a disk.
    public typealias Observer = @Sendable (FileCall) -> Int32?

    /// The observer of the current task (see ``Observer``).
    @TaskLocal public static var observer: Observer? = nil

    /// The one place the layer makes a system call: tells the observer, runs `body` (which
    /// returns the call's result or throws its `Errno`, already retried on `EINTR`) and turns a
    /// failure into a ``FileError`` naming `call` and `path`.
    static func perform<Result>(
        _ call: String, _ path: String, _ body: () throws -> Result
    ) throws(FileError) -> Result {
        if let observer, let code = observer(FileCall(call, path)) {
            throw FileError(errno: code, call: call, path: path)
        }
        do {
            return try body()
        } catch let error as Errno {
            throw FileError(errno: error.rawValue, call: call, path: path)
        } catch {
            throw FileError(errno: EIO, call: call, path: path)
        }
    }

    /// ``perform(_:_:_:)`` for a C call that returns -1 (or NULL, see the pointer variant)
    /// and sets `errno`; retried while it fails with `EINTR`.
    @discardableResult
    static func posix(_ call: String, _ path: String, _ body: () -> Int32) throws(FileError) -> Int32 {
        try perform(call, path) {
            while true {
                let result = body()
                if result >= 0 { return result }
                let code = Errno(rawValue: errno)
                if code != .interrupted { throw code }
            }
        }
    }
}
