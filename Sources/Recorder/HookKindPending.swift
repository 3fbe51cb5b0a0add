// Temporary until HookRunner lands.
public enum HookKind: String, Sendable, Codable, CaseIterable { case eventStart = "event-start", eventEnd = "event-end", movieEnd = "movie-end" }
