import EventStore
import Foundation
import Recorder

/// What the hook commands are told of a ``RecorderEvent``: the one place the typed events
/// become hook environments (and `vigil record --json`'s lines).
public struct HookInvocation: Sendable, Hashable {
    public var kind: HookKind
    /// The ``HookVariable``s that apply, and `VIGIL_STORAGE`, `VIGIL_EVENT_FRAMES`,
    /// `VIGIL_EVENT_BYTES`, `VIGIL_MOVIE_FRAMES`, `VIGIL_MOVIE_SECONDS` where they do.
    public var environment: [String: String]

    /// The hook for `event`, or nil for events no hook runs on (event start, event end and
    /// movie end have hooks).
    public init?(_ event: RecorderEvent, storageRoot: String) {
        switch event {
        case .eventStarted(let record):
            kind = .eventStart
            environment = Self.environment(record, storageRoot: storageRoot)
        case .eventEnded(let record):
            kind = .eventEnd
            environment = Self.environment(record, storageRoot: storageRoot)
        case .movieFinished(let movie):
            kind = .movieEnd
            environment = movie.event.map { Self.environment($0, storageRoot: storageRoot) }
                ?? [HookVariable.camera.rawValue: movie.camera, "VIGIL_STORAGE": storageRoot]
            environment[HookVariable.movie.rawValue] = movie.path
            environment["VIGIL_MOVIE_FRAMES"] = "\(movie.frames)"
            environment["VIGIL_MOVIE_SECONDS"] = String(format: "%.3f", movie.duration.seconds)
        default:
            return nil
        }
    }

    private static func environment(_ event: EventRecord, storageRoot: String) -> [String: String] {
        // FoundationEssentials' formatter: ISO8601DateFormatter would load ICU's calendar data.
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var environment = [
            HookVariable.camera.rawValue: event.camera,
            HookVariable.eventID.rawValue: "\(event.id)",
            HookVariable.eventStart.rawValue: format.format(event.start),
            HookVariable.triggers.rawValue: event.triggers.joined(separator: ","),
            "VIGIL_STORAGE": storageRoot,
        ]
        if let end = event.end {
            environment[HookVariable.eventEnd.rawValue] = format.format(end)
            environment["VIGIL_EVENT_FRAMES"] = "\(event.frames)"
            environment["VIGIL_EVENT_BYTES"] = "\(event.bytes)"
        }
        if let snapshot = event.snapshot { environment[HookVariable.snapshot.rawValue] = snapshot }
        return environment
    }
}
