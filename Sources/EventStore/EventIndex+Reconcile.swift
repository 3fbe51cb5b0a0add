import Files
import Foundation
import GRDB

extension EventIndex {
    /// Movies of one camera that start within this many seconds after an event's end continue it.
    static let continuationGap: TimeInterval = 2

    /// Makes the index agree with the files under `layout.root`; call it at start-up, before the
    /// recorder writes anything (it assumes no other writer). Steps, in order:
    ///
    /// 1. Every unfinished movie row: when `path + ".partial"` exists it is handed to `repair`,
    ///    which returns the finished file's path or nil; on success the row takes that path, is
    ///    marked finished and takes `probe`'s frames, bytes and duration (see
    ///    ``ReconcileReport/repairedMovies``); on failure the row stays unfinished with the partial
    ///    file's size (``ReconcileReport/unrepairable``). When only the final file exists it is
    ///    probed and the row marked finished (``ReconcileReport/completedMovies``).
    /// 2. Movie rows whose file (and `.partial`) is gone are removed (``ReconcileReport/removedMovies``);
    ///    snapshot paths whose file is gone are cleared (``ReconcileReport/clearedSnapshots``).
    /// 3. Media files with no row are adopted (``ReconcileReport/adoptedMovies``,
    ///    ``ReconcileReport/adoptedSnapshots``): the camera and start come from the name
    ///    (``StorageLayout/parse(path:)``), frames, bytes and duration from `probe` (the file's
    ///    size when it returns nil); an orphaned `.partial` goes through `repair` first. A file
    ///    joins the camera's event whose time span it starts in (or within
    ///    ``continuationGap`` seconds after), else a new event in state
    ///    ``EventRecord/State/interrupted`` (``ReconcileReport/createdEvents``).
    /// 4. Events left ``EventRecord/State/recording`` become ``EventRecord/State/interrupted``
    ///    (``ReconcileReport/interruptedEvents``), with an end and totals taken from their movies.
    ///    Events with no movie and no snapshot left are removed (``ReconcileReport/removedEvents``).
    ///
    /// All row changes are written in one transaction at the end; files are never deleted here
    /// (`repair` may rename one, or remove a partial file that holds no frame; its row goes too). Running it again right after changes nothing
    /// (``ReconcileReport/isClean``), except that unrepairable files are retried.
    ///
    /// - Parameters:
    ///   - probe: frames, bytes and duration in seconds of a finished movie file, or nil when it
    ///     cannot be read.
    ///   - repair: makes a playable movie from a `.partial` file and returns its path (usually the
    ///     same path without `.partial`), or nil when it cannot.
    public func reconcile(
        layout: StorageLayout,
        probe: (String) -> (frames: Int, bytes: Int64, duration: Double)?,
        repair: (String) -> String?
    ) throws(EventStoreError) -> ReconcileReport {
        let (eventRows, movieRows) = try read("load index to reconcile") { db in
            (try EventRow.order(EventRow.Columns.started, EventRow.Columns.id).fetchAll(db),
             try MovieRow.order(MovieRow.Columns.started, MovieRow.Columns.id).fetchAll(db))
        }
        let files = try layout.allMediaFiles()
        var work = Reconciliation(events: eventRows, movies: movieRows)
        work.run(files: files, probe: probe, repair: repair)
        let plan = work
        try write("reconcile index with \(layout.root)") { db in
            try plan.apply(db)
        }
        return plan.report
    }
}

/// The working state of one reconciliation: rows as they will be, and what changed.
private struct Reconciliation {
    struct Group {
        var row: EventRow
        var movies: [MovieRow]
        var changed = false
        var moviesRemoved = false
        var remove = false

        /// The latest time the event is known to cover.
        var effectiveEnd: Date {
            var end = row.ended ?? row.started
            for movie in movies { end = max(end, movie.ended ?? movie.started) }
            return end
        }
    }

    var groups: [Group]
    var deletedMovies: [Int64] = []
    var changedMovies: Set<Int64> = []
    var claimed: Set<String> = []
    /// Every movie row's path as it will be stored (the column is unique).
    var takenPaths: Set<String> = []
    /// Per camera, indices into `groups` sorted by start.
    var byCamera: [String: [Int]] = [:]
    var report = ReconcileReport()

    typealias Probe = (String) -> (frames: Int, bytes: Int64, duration: Double)?
    typealias Repair = (String) -> String?

    init(events: [EventRow], movies: [MovieRow]) {
        var byEvent: [Int64: [MovieRow]] = [:]
        for movie in movies { byEvent[movie.eventID, default: []].append(movie) }
        groups = events.map { Group(row: $0, movies: $0.id.flatMap { byEvent[$0] } ?? []) }
        takenPaths = Set(movies.map(\.path))
        for (index, group) in groups.enumerated() { byCamera[group.row.camera, default: []].append(index) }
        for camera in byCamera.keys {
            byCamera[camera]?.sort { (groups[$0].row.started, $0) < (groups[$1].row.started, $1) }
        }
    }

    mutating func run(files: [String], probe: Probe, repair: Repair) {
        // What the rows point at, resolved before any repair renames a file.
        for group in groups {
            for movie in group.movies {
                claimed.insert(FileSystem.canonical(movie.path))
                claimed.insert(FileSystem.canonical(movie.path + StorageLayout.partialSuffix))
            }
            if let snapshot = group.row.snapshot { claimed.insert(FileSystem.canonical(snapshot)) }
        }
        settleRows(probe: probe, repair: repair)
        adoptOrphans(files.filter { !claimed.contains(FileSystem.canonical($0)) }, probe: probe, repair: repair)
        finishGroups()
    }

    // MARK: Rows

    private mutating func settleRows(probe: Probe, repair: Repair) {
        for index in groups.indices {
            var kept: [MovieRow] = []
            for var movie in groups[index].movies {
                if settle(&movie, probe: probe, repair: repair) {
                    if let id = movie.id, changedMovies.contains(id) { groups[index].changed = true }
                    kept.append(movie)
                } else {
                    groups[index].moviesRemoved = true
                    groups[index].changed = true
                }
            }
            groups[index].movies = kept
            if let snapshot = groups[index].row.snapshot, !FileSystem.isFile(snapshot) {
                groups[index].row.snapshot = nil
                groups[index].changed = true
                report.clearedSnapshots += 1
            }
        }
    }

    /// Brings one movie row in line with its files; false when the row is to be removed.
    private mutating func settle(_ movie: inout MovieRow, probe: Probe, repair: Repair) -> Bool {
        guard let id = movie.id else { return true }
        let partial = movie.path + StorageLayout.partialSuffix
        if movie.finished {
            if FileSystem.isFile(movie.path) { return true }
            if !FileSystem.isFile(partial) {
                deletedMovies.append(id)
                takenPaths.remove(movie.path)
                report.removedMovies += 1
                return false
            }
            movie.finished = false
        }
        if FileSystem.isFile(partial) {
            if let fixed = repaired(partial, repair: repair), fixed == movie.path || !takenPaths.contains(fixed) {
                takenPaths.remove(movie.path)
                takenPaths.insert(fixed)
                movie.path = fixed
                movie.finished = true
                measure(fixed, into: &movie, probe: probe)
                claimed.insert(FileSystem.canonical(fixed))
                report.repairedMovies += 1
            } else if !FileSystem.isFile(partial) {
                // `repair` removed a partial file that held no frame.
                deletedMovies.append(id)
                takenPaths.remove(movie.path)
                report.removedMovies += 1
                return false
            } else {
                movie.bytes = FileSystem.size(of: partial) ?? movie.bytes
                report.unrepairable.append(partial)
            }
        } else if FileSystem.isFile(movie.path) {
            movie.finished = true
            measure(movie.path, into: &movie, probe: probe)
            report.completedMovies += 1
        } else {
            deletedMovies.append(id)
            takenPaths.remove(movie.path)
            report.removedMovies += 1
            return false
        }
        changedMovies.insert(id)
        return true
    }

    /// `repair`'s finished path for `partial`, or nil when it gave none or one that is no finished file.
    private func repaired(_ partial: String, repair: Repair) -> String? {
        guard let fixed = repair(partial), !fixed.hasSuffix(StorageLayout.partialSuffix),
              FileSystem.isFile(fixed)
        else { return nil }
        return fixed
    }

    /// Sets a movie's frames, bytes and end from `probe`, falling back to the file's size.
    private func measure(_ path: String, into movie: inout MovieRow, probe: Probe) {
        let size = FileSystem.size(of: path) ?? 0
        guard let measured = probe(path) else {
            movie.bytes = size
            return
        }
        movie.frames = max(0, measured.frames)
        movie.bytes = measured.bytes > 0 ? measured.bytes : size
        if measured.duration.isFinite, measured.duration >= 0, measured.duration < 1e9 {
            movie.ended = movie.started.addingTimeInterval(measured.duration)
        }
    }

    // MARK: Orphans

    private mutating func adoptOrphans(_ orphans: [String], probe: Probe, repair: Repair) {
        var movies: [(path: String, camera: String, start: Date, kind: StorageLayout.MediaKind)] = []
        var snapshots: [(path: String, camera: String, start: Date)] = []
        for path in orphans {
            guard let parsed = StorageLayout.parseMedia(path: path) else {
                report.unparsed.append(path)
                continue
            }
            switch parsed.kind {
            case .movie, .partialMovie: movies.append((path, parsed.camera, parsed.start, parsed.kind))
            case .snapshot: snapshots.append((path, parsed.camera, parsed.start))
            }
        }
        // Finished files first, so that a partial file beside its finished file is left to that row.
        movies.sort { ($0.kind == .movie ? 0 : 1, $0.start, $0.path) < ($1.kind == .movie ? 0 : 1, $1.start, $1.path) }
        for orphan in movies {
            var movie = MovieRow(
                id: nil, eventID: 0, path: orphan.path, started: orphan.start, ended: orphan.start,
                frames: 0, bytes: 0, finished: true)
            if orphan.kind == .partialMovie {
                let finalPath = String(orphan.path.dropLast(StorageLayout.partialSuffix.count))
                if takenPaths.contains(finalPath) { continue }
                if let fixed = repaired(orphan.path, repair: repair), !takenPaths.contains(fixed),
                   !claimed.contains(FileSystem.canonical(fixed)) {
                    movie.path = fixed
                    measure(fixed, into: &movie, probe: probe)
                    claimed.insert(FileSystem.canonical(fixed))
                } else if !FileSystem.isFile(orphan.path) {
                    continue  // `repair` removed it: it held no frame
                } else {
                    movie.path = finalPath
                    movie.finished = false
                    movie.ended = nil
                    movie.bytes = FileSystem.size(of: orphan.path) ?? 0
                    report.unrepairable.append(orphan.path)
                }
            } else {
                if takenPaths.contains(orphan.path) { continue }
                measure(orphan.path, into: &movie, probe: probe)
            }
            let index = groupIndex(camera: orphan.camera, start: orphan.start)
            takenPaths.insert(movie.path)
            groups[index].movies.append(movie)
            groups[index].changed = true
            report.adoptedMovies += 1
        }
        snapshots.sort { ($0.start, $0.path) < ($1.start, $1.path) }
        for orphan in snapshots {
            let index = groupIndex(camera: orphan.camera, start: orphan.start, needsSnapshot: true)
            groups[index].row.snapshot = orphan.path
            groups[index].changed = true
            report.adoptedSnapshots += 1
        }
    }

    /// The camera's event that `start` belongs to, or a new one starting then: for a snapshot
    /// (`needsSnapshot`), an event without one that starts at the same millisecond is preferred;
    /// otherwise the latest-starting event whose span `start` falls in (or follows within
    /// ``EventIndex/continuationGap``).
    private mutating func groupIndex(camera: String, start: Date, needsSnapshot: Bool = false) -> Int {
        let indices = byCamera[camera] ?? []
        // The first position whose event starts more than a millisecond after `start`.
        var low = 0
        var high = indices.count
        while low < high {
            let middle = (low + high) / 2
            if groups[indices[middle]].row.started.timeIntervalSince(start) <= 0.001 {
                low = middle + 1
            } else {
                high = middle
            }
        }
        // Events of one camera rarely overlap: a few candidates back are enough.
        let candidates = indices[max(0, low - 8)..<low].reversed()
        func fits(_ index: Int) -> Bool { !(needsSnapshot && groups[index].row.snapshot != nil) }
        if needsSnapshot, let same = candidates.first(where: {
            fits($0) && abs(groups[$0].row.started.timeIntervalSince(start)) < 0.001
        }) {
            return same
        }
        if let existing = candidates.first(where: {
            fits($0) && start.timeIntervalSince(groups[$0].effectiveEnd) <= EventIndex.continuationGap
        }) {
            return existing
        }
        let row = EventRow(
            id: nil, camera: camera, started: start, ended: nil, triggers: [], frames: 0, bytes: 0,
            snapshot: nil, state: EventRecord.State.interrupted.rawValue)
        groups.append(Group(row: row, movies: [], changed: true))
        byCamera[camera, default: []].insert(groups.count - 1, at: low)
        report.createdEvents += 1
        return groups.count - 1
    }

    // MARK: Events

    private mutating func finishGroups() {
        for index in groups.indices {
            var group = groups[index]
            if group.row.state == EventRecord.State.recording.rawValue {
                group.row.state = EventRecord.State.interrupted.rawValue
                group.changed = true
                report.interruptedEvents += 1
            }
            if group.movies.isEmpty && group.row.snapshot == nil {
                group.remove = true
                if group.row.id != nil { report.removedEvents += 1 }
            } else if group.changed {
                let frames = group.movies.reduce(0) { $0 + $1.frames }
                let bytes = group.movies.reduce(Int64(0)) { $0 + $1.bytes }
                    + (group.row.snapshot.flatMap { FileSystem.size(of: $0) } ?? 0)
                if group.row.id == nil || group.moviesRemoved {
                    group.row.frames = frames
                    group.row.bytes = bytes
                } else {
                    group.row.frames = max(group.row.frames, frames)
                    group.row.bytes = max(group.row.bytes, bytes)
                }
                let end = group.effectiveEnd
                if group.row.ended.map({ $0 < end }) ?? true { group.row.ended = end }
            }
            groups[index] = group
        }
    }

    // MARK: Writing

    func apply(_ db: Database) throws {
        for id in deletedMovies { try MovieRow.deleteOne(db, key: id) }
        for group in groups {
            var row = group.row
            if group.remove {
                if let id = row.id { try EventRow.deleteOne(db, key: id) }
                continue
            }
            if row.id == nil {
                try row.insert(db)
            } else if group.changed {
                try row.update(db)
            }
            guard let eventID = row.id else { continue }
            for var movie in group.movies {
                if movie.id == nil {
                    movie.eventID = eventID
                    try movie.insert(db)
                } else if let id = movie.id, changedMovies.contains(id) {
                    try movie.update(db)
                }
            }
        }
    }
}
