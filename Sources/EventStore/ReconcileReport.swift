/// What ``EventIndex/reconcile(layout:probe:repair:)`` changed to make the index agree with the disk.
public struct ReconcileReport: Sendable, Hashable, Codable {
    /// Events left ``EventRecord/State/recording`` by a stopped recorder, now
    /// ``EventRecord/State/interrupted``.
    public var interruptedEvents = 0
    /// Unfinished movies whose `.partial` file `repair` turned into a finished file; their rows now
    /// point at it and carry the probed frames, bytes and end.
    public var repairedMovies = 0
    /// Unfinished movies whose file was already at its final path (the recorder stopped between the
    /// rename and the row update); probed and marked finished.
    public var completedMovies = 0
    /// `.partial` files that `repair` could not fix. They stay on disk, each under an unfinished
    /// movie row (made for it when it had none), so that retention still deletes them in time.
    public var unrepairable: [String] = []
    /// Movie files that had no row and now have one (orphaned `.mkv`, or repaired orphaned `.partial`).
    public var adoptedMovies = 0
    /// Snapshot files that had no row and are now some event's snapshot.
    public var adoptedSnapshots = 0
    /// Events created to hold adopted files (state ``EventRecord/State/interrupted``, no triggers).
    public var createdEvents = 0
    /// Movie rows removed because neither their file nor its `.partial` exists any more.
    public var removedMovies = 0
    /// Event rows removed because none of their movies remain and they have no snapshot file.
    public var removedEvents = 0
    /// Snapshot paths cleared from events because the file is gone.
    public var clearedSnapshots = 0
    /// Media files (by extension) whose names do not parse, left alone.
    public var unparsed: [String] = []

    /// An empty report.
    public init() {}

    /// Whether nothing needed fixing.
    public var isClean: Bool { self == ReconcileReport() }
}
