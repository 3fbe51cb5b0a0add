/// What keeps the recorder from writing to its storage root. While one lasts the cameras are
/// still read and events still detected, but no movie, snapshot or index row is written; the
/// recorder resumes by itself once the storage is back (see ``StorageMonitor``).
public enum StorageFault: Sendable, Hashable, CustomStringConvertible {
    /// The file system refuses writes (`EROFS`).
    case readOnly(root: String, detail: String)
    /// The storage folder is gone (deleted).
    case missing(root: String)
    /// The storage's mount went away: the root's device changed or its marker file is gone.
    /// Nothing is written to the file system underneath.
    case unmounted(root: String, reason: String)
    /// The event index cannot grow (`SQLITE_FULL`, `ENOSPC` on `index.sqlite`).
    case indexFull(path: String, detail: String)

    /// A short name for counting: `read-only`, `missing`, `unmounted`, `index-full`.
    public var kind: String {
        switch self {
        case .readOnly: "read-only"
        case .missing: "missing"
        case .unmounted: "unmounted"
        case .indexFull: "index-full"
        }
    }

    /// One line naming the fault and the path.
    public var description: String {
        switch self {
        case .readOnly(let root, let detail): "storage is read-only: \(root) (\(detail))"
        case .missing(let root): "storage folder \(root) is missing"
        case .unmounted(let root, let reason): "storage \(root) was unmounted (\(reason))"
        case .indexFull(let path, let detail): "index: disk full: \(path) (\(detail))"
        }
    }
}
