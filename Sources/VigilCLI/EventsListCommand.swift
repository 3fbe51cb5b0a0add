import ArgumentParser
import EventStore
import Foundation
import HAL

/// `vigil events list`: events newest first, as a table or JSON.
struct EventsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List events, newest first.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var storage: StorageOptions

    @Option(help: ArgumentHelp(
        "Only events that started at or after this: a local date or time (2025-03-01, 2025-03-01T18:00, '2025-03-01 18:00:05', with Z or +01:00 for another zone), a duration back from now (2h, 30m, 7d), today or yesterday.",
        valueName: "when"))
    var since: SinceArgument?

    @Option(help: "Only this camera's events.")
    var camera: String?

    @Option(help: "At most this many events.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative, not \(limit)") }
    }

    func run() async throws {
        let index = try storage.openIndex()
        let events = try index.events(since: since?.date, camera: camera, limit: limit)
        if options.json { return try Output.json(events.map(EventSummary.init)) }
        guard !events.isEmpty else {
            let filters = [since.map { "since \(EventFormat.local($0.date))" }, camera.map { "for camera \($0)" }]
                .compactMap { $0 }
            print((["no events"] + filters).joined(separator: " ") + " in \(storage.layout.indexPath)")
            return
        }
        let header = ["ID", "CAMERA", "START", "END", "DURATION", "TRIGGERS", "FRAMES", "SIZE", "STATE"]
        Output.table([header] + events.map { event in
            [
                String(event.id), event.camera, EventFormat.local(event.start), EventFormat.end(event.end, start: event.start),
                EventFormat.duration(from: event.start, to: event.end),
                event.triggers.isEmpty ? "-" : event.triggers.joined(separator: ","), String(event.frames),
                EventFormat.size(event.bytes), event.state.rawValue,
            ]
        })
    }
}

/// A point in time on the command line: an ISO 8601 date or date-time (local unless it names a
/// zone), a duration back from now (`2h`, `30m`), `today` or `yesterday` (local midnight).
struct SinceArgument: ExpressibleByArgument, Sendable {
    let date: Date

    init?(argument: String) {
        guard let date = Self.parse(argument, now: Date()) else { return nil }
        self.date = date
    }

    /// The instant `text` names, read at `now`; nil when it names none.
    static func parse(_ text: String, now: Date) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        switch text.lowercased() {
        case "now": return now
        case "today": return Calendar.current.startOfDay(for: now)
        case "yesterday":
            return Calendar.current.date(byAdding: .day, value: -1, to: Calendar.current.startOfDay(for: now))
        default: break
        }
        if let back = Duration(humanReadable: text) {
            let (seconds, attoseconds) = back.components
            return now.addingTimeInterval(-(Double(seconds) + Double(attoseconds) / 1e18))
        }
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let zoned = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
        ] {
            zoned.formatOptions = options
            if let date = zoned.date(from: normalized) { return date }
        }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = TimeZone.current
        for format in ["yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
            local.dateFormat = format
            if let date = local.date(from: normalized) { return date }
        }
        return nil
    }
}
