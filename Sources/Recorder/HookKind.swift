/// When a hook command runs.
public enum HookKind: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    /// An event has started (its first frame with a trigger).
    case eventStart = "event-start"
    /// An event has ended (its post-capture is over and its last movie closed).
    case eventEnd = "event-end"
    /// A movie file has been finished (an event may have several).
    case movieEnd = "movie-end"
}

/// The environment variables the recorder gives hook commands, in addition to those it
/// inherited. ``HookRunner`` sets ``hook`` itself; the caller supplies the rest that apply.
public enum HookVariable: String, Sendable, CaseIterable {
    /// The ``HookKind`` raw value: `event-start`, `event-end` or `movie-end`.
    case hook = "VIGIL_HOOK"
    /// The event's id in the event index.
    case eventID = "VIGIL_EVENT_ID"
    /// The camera's name.
    case camera = "VIGIL_CAMERA"
    /// When the event started, ISO 8601 UTC.
    case eventStart = "VIGIL_EVENT_START"
    /// When the event ended, ISO 8601 UTC (event end and movie end only).
    case eventEnd = "VIGIL_EVENT_END"
    /// The movie file's path.
    case movie = "VIGIL_MOVIE"
    /// The event's snapshot's path.
    case snapshot = "VIGIL_SNAPSHOT"
    /// The triggers that started or extended the event, comma-separated.
    case triggers = "VIGIL_TRIGGERS"
}
