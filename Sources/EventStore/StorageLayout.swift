import Files
import Foundation

/// Where a camera node keeps its files, and how they are named.
///
/// ```
/// ROOT/index.sqlite                                        the event index (see EventIndex)
/// ROOT/vigil.sock                                          the recorder's control socket
/// ROOT/CAMERA/YYYY-MM-DD/CAMERA-YYYYMMDD-HHMMSS-mmm.mkv    a movie
/// ROOT/CAMERA/YYYY-MM-DD/CAMERA-YYYYMMDD-HHMMSS-mmm.mkv.partial   a movie being written
/// ROOT/CAMERA/YYYY-MM-DD/CAMERA-YYYYMMDD-HHMMSS-mmm.jpg    an event's snapshot
/// ```
///
/// The time in a name is the UTC wall-clock time of the movie's first frame, to the millisecond
/// (truncated). A long event continues in further movies, each named after its own first frame;
/// an event's snapshot has the stem of its first movie. Camera names match `[A-Za-z0-9_-]+`.
///
/// A value type with no state beyond ``root``: it touches the disk only in ``allMediaFiles()`` and
/// ``createDirectory(camera:start:)``.
public struct StorageLayout: Sendable, Hashable, Codable {
    /// The longest camera name accepted, so that every media file name fits in 255 bytes.
    public static let maxCameraNameLength = 200

    /// The extension of a finished movie.
    public static let movieExtension = "mkv"
    /// The extension of a snapshot.
    public static let snapshotExtension = "jpg"
    /// The suffix appended to a movie's path while it is being written.
    public static let partialSuffix = ".partial"

    /// The kinds of media file the layout names.
    public enum MediaKind: String, Sendable, Hashable, Codable {
        /// `….mkv`: a finished movie.
        case movie
        /// `….mkv.partial`: a movie being written, or left behind by a crash.
        case partialMovie
        /// `….jpg`: a snapshot.
        case snapshot
    }

    /// The storage root, as given (no trailing slash).
    public let root: String

    /// A layout rooted at `root`. Nothing is created on disk.
    public init(root: String) {
        var trimmed = root
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed
    }

    /// `ROOT/index.sqlite`: the event index.
    public var indexPath: String { FileSystem.join(root, "index.sqlite") }

    /// `ROOT/vigil.sock`: the recorder's control socket.
    public var socketPath: String { FileSystem.join(root, "vigil.sock") }

    /// Throws ``EventStoreError/Kind/invalidCameraName`` unless `camera` matches `[A-Za-z0-9_-]+`
    /// and has at most ``maxCameraNameLength`` characters.
    public static func validate(camera: String) throws(EventStoreError) {
        guard isValid(camera: camera) else {
            throw EventStoreError(
                kind: .invalidCameraName,
                message: "camera name \(String(reflecting: camera)) must match [A-Za-z0-9_-]+ "
                    + "and have at most \(maxCameraNameLength) characters")
        }
    }

    /// Whether `camera` matches `[A-Za-z0-9_-]+` and has at most ``maxCameraNameLength`` characters.
    public static func isValid(camera: String) -> Bool {
        let bytes = camera.utf8
        guard !bytes.isEmpty, bytes.count <= maxCameraNameLength else { return false }
        return bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Why `root` cannot be a storage root, or nil when it can: it must not be empty, hold a
    /// control character, or have a `..` component (the root must name one place plainly).
    public static func problem(withRoot root: String) -> String? {
        if root.isEmpty { return "the storage root is empty" }
        if root.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "the storage root \(String(reflecting: root)) holds a control character"
        }
        if root.split(separator: "/").contains("..") {
            return "the storage root \(String(reflecting: root)) has a '..' component; name the folder plainly"
        }
        return nil
    }

    /// `ROOT/CAMERA`: the camera's directory. Throws for an invalid camera name.
    public func cameraDirectory(camera: String) throws(EventStoreError) -> String {
        try Self.validate(camera: camera)
        return FileSystem.join(root, camera)
    }

    /// `ROOT/CAMERA/YYYY-MM-DD`: the directory of the day (UTC) that contains `start`.
    /// Throws for an invalid camera name or a time outside the years 1...9999.
    public func dayDirectory(camera: String, start: Date) throws(EventStoreError) -> String {
        let timestamp = try Self.timestamp(start)
        return FileSystem.join(try cameraDirectory(camera: camera), timestamp.dayName)
    }

    /// `ROOT/CAMERA/YYYY-MM-DD/CAMERA-YYYYMMDD-HHMMSS-mmm.mkv` for a movie whose first frame is at `start`.
    /// The recorder writes to this path plus ``partialSuffix`` and renames it when the movie is finished.
    /// Throws for an invalid camera name or a time outside the years 1...9999.
    public func moviePath(camera: String, start: Date) throws(EventStoreError) -> String {
        try mediaPath(camera: camera, start: start, extension: Self.movieExtension)
    }

    /// `ROOT/CAMERA/YYYY-MM-DD/CAMERA-YYYYMMDD-HHMMSS-mmm.jpg`: the snapshot of the event whose first
    /// movie starts at `start`. Throws for an invalid camera name or a time outside the years 1...9999.
    public func snapshotPath(camera: String, start: Date) throws(EventStoreError) -> String {
        try mediaPath(camera: camera, start: start, extension: Self.snapshotExtension)
    }

    /// `moviePath + ".partial"`: where the movie is written until it is finished.
    public func partialMoviePath(camera: String, start: Date) throws(EventStoreError) -> String {
        try moviePath(camera: camera, start: start) + Self.partialSuffix
    }

    /// Creates `ROOT/CAMERA/YYYY-MM-DD` (and any missing parent) and returns it.
    /// Throws a typed error when the root cannot be written (see ``EventStoreError/Kind``).
    @discardableResult
    public func createDirectory(camera: String, start: Date) throws(EventStoreError) -> String {
        let directory = try dayDirectory(camera: camera, start: start)
        do {
            try FileSystem.makeDirectories(directory)
        } catch {
            throw EventStoreError(error)
        }
        return directory
    }

    /// The camera and start time encoded in a media file's name, or nil when the last path
    /// component is not `CAMERA-YYYYMMDD-HHMMSS-mmm` followed by `.mkv`, `.mkv.partial` or `.jpg`.
    ///
    /// Only the file name is read: the directories above it are not checked. The time is exact to
    /// the millisecond, so `parse(path: moviePath(camera: c, start: t))` gives `c` and `t`
    /// truncated to the millisecond.
    public func parse(path: String) -> (camera: String, start: Date)? {
        guard let parsed = Self.parseMedia(path: path) else { return nil }
        return (parsed.camera, parsed.start)
    }

    /// The kind of media file `path` names (by its extension and name), or nil when it is none.
    public func mediaKind(path: String) -> MediaKind? {
        Self.parseMedia(path: path)?.kind
    }

    /// Every media file under the root: `*.mkv`, `*.mkv.partial` and `*.jpg`, as full paths,
    /// sorted. Other files (the index, the socket) are skipped, and so are names that do not
    /// parse, at any depth up to 8 directories. A missing root gives an empty list.
    /// Throws when a directory cannot be read.
    public func allMediaFiles() throws(EventStoreError) -> [String] {
        guard FileSystem.kind(at: root) == .directory else {
            if FileSystem.kind(at: root) == nil { return [] }
            throw EventStoreError(FileError(errno: ENOTDIR, call: "opendir", path: root))
        }
        var found: [String] = []
        try walk(root, depth: 0, into: &found)
        return found.sorted()
    }

    private func walk(_ directory: String, depth: Int, into found: inout [String]) throws(EventStoreError) {
        let names: [String]
        do {
            names = try FileSystem.contents(of: directory)
        } catch {
            throw EventStoreError(error)
        }
        for name in names {
            let path = FileSystem.join(directory, name)
            switch FileSystem.kind(at: path) {
            case .directory:
                if depth < 8 { try walk(path, depth: depth + 1, into: &found) }
            case .file:
                if Self.hasMediaExtension(name) { found.append(path) }
            case .other, nil:
                continue
            }
        }
    }

    static func hasMediaExtension(_ name: String) -> Bool {
        name.hasSuffix(".mkv") || name.hasSuffix(".mkv.partial") || name.hasSuffix(".jpg")
    }

    private func mediaPath(camera: String, start: Date, extension ext: String) throws(EventStoreError) -> String {
        let timestamp = try Self.timestamp(start)
        let directory = FileSystem.join(try cameraDirectory(camera: camera), timestamp.dayName)
        return FileSystem.join(directory, "\(camera)-\(timestamp.stamp).\(ext)")
    }

    static func timestamp(_ date: Date) throws(EventStoreError) -> UTCTimestamp {
        guard let timestamp = UTCTimestamp(date) else {
            throw EventStoreError(
                kind: .invalidTime,
                message: "time \(date.timeIntervalSince1970) s since 1970 cannot be named (years 1...9999 only)")
        }
        return timestamp
    }

    static func parseMedia(path: String) -> (camera: String, start: Date, kind: MediaKind)? {
        let name = FileSystem.lastComponent(of: path)
        let kind: MediaKind
        let stem: Substring
        if name.hasSuffix(".mkv.partial") {
            kind = .partialMovie
            stem = name.dropLast(".mkv.partial".count)
        } else if name.hasSuffix(".mkv") {
            kind = .movie
            stem = name.dropLast(".mkv".count)
        } else if name.hasSuffix(".jpg") {
            kind = .snapshot
            stem = name.dropLast(".jpg".count)
        } else {
            return nil
        }
        // CAMERA-YYYYMMDD-HHMMSS-mmm: the camera may itself contain "-", so read from the end.
        guard stem.utf8.count > 20 else { return nil }
        let stampStart = stem.utf8.index(stem.utf8.endIndex, offsetBy: -19)
        let dashIndex = stem.utf8.index(before: stampStart)
        guard stem.utf8[dashIndex] == UInt8(ascii: "-") else { return nil }
        let camera = String(stem[stem.startIndex..<dashIndex])
        guard isValid(camera: camera), let timestamp = UTCTimestamp(stamp: stem[stampStart...]) else { return nil }
        return (camera, timestamp.date, kind)
    }
}
