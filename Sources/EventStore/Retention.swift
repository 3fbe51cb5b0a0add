import Files
import Foundation

/// Deciding and carrying out which events to delete under a ``RetentionPolicy``.
public enum Retention {
    /// Which events to delete, oldest first (by start, then id). Pure: it reads only its arguments.
    ///
    /// Walking the events oldest first and skipping every id in `protecting` (the event in
    /// progress), an event is chosen when it is older than ``RetentionPolicy/maxAge`` (by its end,
    /// or its start while it has none), or while the bytes still kept (protected events included)
    /// exceed ``RetentionPolicy/maxTotalBytes``, or while `freeBytes` plus the bytes already
    /// chosen is below ``RetentionPolicy/minFreeBytes``. So afterwards every limit holds, unless
    /// nothing deletable is left.
    ///
    /// - Parameters:
    ///   - events: every event with the bytes it takes (``EventIndex/usage()``), in any order.
    ///   - now: the current wall-clock time, for the age limit.
    ///   - freeBytes: free bytes on the storage file system now (``FileSystem/freeSpace(at:)``).
    ///   - protecting: ids never to delete.
    public static func plan(
        events: [EventUsage], policy: RetentionPolicy, now: Date, freeBytes: Int64, protecting: Set<Int64>
    ) -> [Int64] {
        let ordered = events.sorted { ($0.event.start, $0.event.id) < ($1.event.start, $1.event.id) }
        var total = ordered.reduce(Int64(0)) { saturatingAdd($0, max(0, $1.bytes)) }
        var free = freeBytes
        let cutoff = policy.maxAge.map { now.addingTimeInterval(-seconds($0)) }
        var chosen: [Int64] = []
        for usage in ordered where !protecting.contains(usage.event.id) {
            let tooBig = policy.maxTotalBytes.map { total > $0 } ?? false
            let tooFull = policy.minFreeBytes.map { free < $0 } ?? false
            let tooOld = cutoff.map { (usage.event.end ?? usage.event.start) < $0 } ?? false
            guard tooBig || tooFull || tooOld else { continue }
            chosen.append(usage.event.id)
            let bytes = max(0, usage.bytes)
            total -= bytes
            free = saturatingAdd(free, bytes)
        }
        return chosen
    }

    /// Applies `policy` now: plans with ``plan(events:policy:now:freeBytes:protecting:)`` over
    /// ``EventIndex/usage()``, then for each chosen event removes its movies (each movie's path and
    /// its `.partial`), its snapshot, and its rows, and finally any day directory left empty.
    ///
    /// `freeBytes` defaults to ``FileSystem/freeSpace(at:)`` of `layout.root` (measured only when the
    /// policy has ``RetentionPolicy/minFreeBytes``). An event one of whose files cannot be removed
    /// keeps its row and is reported in ``RetentionResult/failures``; other events go on. Throws
    /// only for index errors and when free space cannot be measured.
    @discardableResult
    public static func enforce(
        policy: RetentionPolicy, index: EventIndex, layout: StorageLayout, now: Date = Date(),
        protecting: Set<Int64> = [], freeBytes: Int64? = nil
    ) throws(EventStoreError) -> RetentionResult {
        let free: Int64
        if let freeBytes {
            free = freeBytes
        } else if policy.minFreeBytes != nil {
            do {
                free = try FileSystem.freeSpace(at: layout.root)
            } catch {
                throw EventStoreError(error)
            }
        } else {
            free = Int64.max
        }
        let chosen = plan(
            events: try index.usage(), policy: policy, now: now, freeBytes: free, protecting: protecting)
        var result = RetentionResult()
        var directories = Set<String>()
        for id in chosen {
            guard let event = try index.event(id: id) else { continue }
            var paths: [String] = []
            for movie in try index.movies(eventID: id) {
                paths.append(movie.path)
                paths.append(movie.path + StorageLayout.partialSuffix)
            }
            if let snapshot = event.snapshot { paths.append(snapshot) }
            var failed = false
            for path in paths {
                do {
                    if let size = try FileSystem.removeFile(path) {
                        result.removedFiles.append(path)
                        result.freedBytes = saturatingAdd(result.freedBytes, size)
                        directories.insert(FileSystem.parentDirectory(of: path))
                    }
                } catch {
                    result.failures.append(EventStoreError(error))
                    failed = true
                }
            }
            if failed { continue }
            try index.deleteEvent(id: id)
            result.deletedEvents.append(id)
        }
        for directory in directories.sorted(by: >) {
            do {
                try FileSystem.removeDirectoryIfEmpty(directory)
            } catch {
                result.failures.append(EventStoreError(error))
            }
        }
        return result
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int64.max : Int64.min) : sum
    }
}
