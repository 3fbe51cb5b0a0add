import ArgumentParser
import EventStore
import Foundation
import HAL

/// `vigil events`: the recorded events, read from the event index under the storage root.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List, show and export recorded events.",
        discussion: """
            Events are read from the event index under the storage root (--storage DIR, else \
            $VIGIL_STORAGE, else /var/lib/vigil as root, else ~/.local/share/vigil), alongside a \
            recorder that may be writing it. Times are shown in local time; --json gives them \
            in UTC (ISO 8601).
            """,
        subcommands: [EventsListCommand.self, EventsShowCommand.self, EventsExportCommand.self]
    )
}

/// How `vigil events` writes times, durations and sizes.
enum EventFormat {
    /// UTC, ISO 8601 with milliseconds: `2025-03-01T18:04:05.120Z`.
    static func iso(_ date: Date) -> String { EventSummary.iso(date) }

    /// Local time, `2025-03-01 19:04:05`.
    static func local(_ date: Date) -> String {
        localFormatter("yyyy-MM-dd HH:mm:ss").string(from: date)
    }

    /// An event's end in a table: just the local time of day when it ends on the day it started.
    static func end(_ end: Date?, start: Date) -> String {
        guard let end else { return "-" }
        if Calendar.current.isDate(end, inSameDayAs: start) { return localFormatter("HH:mm:ss").string(from: end) }
        return local(end)
    }

    /// `4.2s` under a minute, else whole seconds as `1h2m5s`.
    static func duration(from start: Date, to end: Date?) -> String {
        guard let end else { return "-" }
        let seconds = max(0, end.timeIntervalSince(start))
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        return Duration(checkedSeconds: seconds.rounded())?.humanReadable ?? "-"
    }

    /// Bytes in binary units: `812 B`, `3.4 KiB`, `12.0 MiB`.
    static func size(_ bytes: Int64) -> String {
        var value = Double(bytes)
        for unit in ["B", "KiB", "MiB", "GiB"] {
            if value < 1024 || unit == "GiB" {
                return unit == "B" ? "\(bytes) B" : "\(String(format: "%.1f", value)) \(unit)"
            }
            value /= 1024
        }
        return "\(bytes) B"
    }

    private static func localFormatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = format
        return formatter
    }
}

extension StorageOptions {
    /// The event `id` from the index, or a ``CLIError`` naming the index and how to list events.
    func event(_ id: Int64, in index: EventIndex) throws -> EventRecord {
        guard let event = try index.event(id: id) else {
            throw CLIError("no event \(id) in the index at \(layout.indexPath) (see 'vigil events list')")
        }
        return event
    }
}
