import BoardSupport
import EventStore
import Files
import Foundation
import HAL
import HALSimulation
import Movies
import Recorder
import Scenes
import Synchronization

/// A long run of a node on the simulated board under a seeded ``SoakPlan``: a fresh fault plan
/// on the camera's serial link now and then, camera power cuts, PIR chatter and spells of a
/// full disk (`ENOSPC` from the file-system layer), all on virtual time. It checks what
/// matters: every frame read back from a finished movie is one the camera served (by digest,
/// see ``FrameLedger``), every event and movie is in the index (after the reconcile a restart
/// would make), no partial file is left, and the resident set stays flat.
///
/// Make it before ``run()``: it replaces the board's scene (a street whose passers-by last the
/// whole run, each frame noted) and attaches its fault schedule to the board.
public final class Soak: Sendable {
    public let plan: SoakPlan
    let node: CameraNode
    let board: SimulatedBoard
    let ledger = FrameLedger()
    private let injected = Mutex<[String: Int]>([:])
    private let diskFull = Mutex(false)
    private struct Resident {
        var start: Int64 = 0
        var max: Int64 = 0
        /// Hourly readings: simulated hours since the start, bytes.
        var hourly: [(hours: Double, bytes: Int64)] = []
    }
    private let resident = Mutex(Resident())

    /// Throws unless `node` runs on the simulated board.
    public init(plan: SoakPlan, node: CameraNode) throws {
        guard let board = node.hardware.simulation else {
            throw NodeError("a soak runs on the simulated board (--board sim or a board whose backend is sim)")
        }
        self.plan = plan
        self.node = node
        self.board = board
        let simulation = board.board.simulation ?? BoardSimulation()
        let seed = simulation.seed ^ plan.seed
        board.replaceScene(LedgerScene(
            SyntheticScene(
                name: "street", seed: seed, script: .random(seed: seed, duration: plan.duration, meanGap: plan.passerByEvery)),
            ledger: ledger))
        board.attach { [self] in await self.injectFaults() }
    }

    /// Runs the node for the plan's duration (as fast as the machine goes when the board is
    /// unpaced), then checks the storage; returns the figures.
    public func run() async throws -> SoakSummary {
        let started = Date()
        let first = Self.residentBytes()
        resident.withLock { $0 = Resident(start: first, max: first) }
        let events = node.events(bufferSize: 1 << 16)
        // Outside the simulation: it reads finished movies back while the node records on.
        let checker = Task { await self.check(events) }
        try await FileSystem.$observer.withValue({ self.observe($0) }) {
            try await node.run(for: plan.duration)
        }
        let checked = await checker.value

        // What the next start would do, then whether index and files agree.
        let layout = node.layout
        let index = try EventIndex(path: layout.indexPath)
        let reconciled = try Recorder.reconcile(layout: layout, index: index)
        let files = try layout.allMediaFiles()
        let movies = Set(files.filter { layout.mediaKind(path: $0) == .movie })
        let rows = try index.events()
        let finishedRows = try rows.flatMap { try index.movies(eventID: $0.id) }.filter(\.finished)
        let indexed = Set(rows.map(\.id))
        let status = node.status
        let storage = node.storageFaults
        let rss = resident.withLock { $0 }
        return SoakSummary(
            seed: plan.seed, simulatedHours: plan.duration.seconds / 3600, wallSeconds: Date().timeIntervalSince(started),
            framesServed: ledger.served, framesCaptured: status.cameras.reduce(0) { $0 + $1.frames },
            framesStored: checked.stored, framesUnmatched: checked.unmatched, faults: injected.withLock { $0 },
            storageFaults: storage.began, storageRecoveries: storage.recoveries, events: checked.ended.count,
            eventsMissing: checked.ended.filter { !indexed.contains($0) }.count,
            moviesOnDisk: movies.count, moviesIndexed: Set(finishedRows.map(\.path)).intersection(movies).count,
            moviesRepairedAtEnd: reconciled.repairedMovies + reconciled.completedMovies + reconciled.adoptedMovies,
            partialMoviesLeft: files.filter { layout.mediaKind(path: $0) == .partialMovie }.count,
            rssStart: rss.start, rssAfterFirstHour: rss.hourly.first?.bytes ?? rss.start, rssMax: rss.max,
            rssEnd: Self.residentBytes(),
            rssGrowthPerDay: plan.duration >= plan.rssJudgedAfter ? SoakSummary.growthPerDay(rss.hourly) : nil,
            rssGrowthPerDayBound: plan.rssGrowthPerDayBound,
            reconnects: status.cameras.reduce(0) { $0 + $1.reconnects }, cameraErrors: status.cameras.reduce(0) { $0 + $1.errors },
            rereads: status.cameras.reduce(0) { $0 + $1.rereads })
    }

    // MARK: Checking

    private struct Checked: Sendable {
        var stored = 0
        var unmatched = 0
        /// Ids of events that ended with frames (-1: no row could be written).
        var ended: [Int64] = []
    }

    /// Reads every finished movie back and looks each frame up among those served.
    private func check(_ events: Subscription<RecorderEvent>) async -> Checked {
        var checked = Checked()
        for await event in events {
            switch event {
            case .eventEnded(let record) where record.frames > 0:
                checked.ended.append(record.id)
            case .movieFinished(let movie):
                do {
                    let reader = try MovieReader(path: movie.path)
                    while let frame = try reader.next() {
                        checked.stored += 1
                        if !ledger.contains(frame.jpeg) { checked.unmatched += 1 }
                    }
                } catch {
                    // A movie that cannot be read back counts as a frame not served.
                    checked.unmatched += 1
                    node.logger.error("soak: cannot read back \(movie.path): \(error)")
                }
            default:
                break
            }
        }
        return checked
    }

    // MARK: Faults

    private enum Kind: CaseIterable {
        case serial, powerCut, pirChatter, diskFull, sample
    }

    /// The fault schedule, on the board's virtual time (attached to the board's peripherals).
    private func injectFaults() async {
        var random = SeededRandom(seed: plan.seed)
        let clock = board.clock
        let hour = Duration.seconds(3600)
        func gap(_ mean: Duration) -> Duration { mean * (0.5 + random.nextUnit()) }
        func mean(_ kind: Kind) -> Duration {
            switch kind {
            case .serial: plan.serialEvery
            case .powerCut: plan.powerCutEvery
            case .pirChatter: plan.pirChatterEvery
            case .diskFull: plan.diskFullEvery
            case .sample: hour
            }
        }
        var due = Kind.allCases.map { kind in (kind, clock.now.advanced(by: kind == .sample ? hour : gap(mean(kind)))) }
        while !Task.isCancelled {
            guard let next = due.indices.min(by: { due[$0].1 < due[$1].1 }) else { return }
            let (kind, at) = due[next]
            do {
                try await clock.sleep(until: at, tolerance: nil)
                try await apply(kind, random: &random)
            } catch {
                return
            }
            due[next].1 = clock.now.advanced(by: kind == .sample ? hour : gap(mean(kind)))
        }
    }

    private func apply(_ kind: Kind, random: inout SeededRandom) async throws {
        let clock = board.clock
        switch kind {
        case .serial:
            // Byte indices count from now: a stream of a few kB/s meets them within minutes.
            let dropped = Set((0..<3).map { _ in Int(random.next() % 200_000) })
            let stall = FaultPlan.Stall(atByte: Int(random.next() % 200_000), duration: .seconds(2))
            let unplug = FaultPlan.Unplug(at: .zero.advanced(by: .seconds(Int64(random.next() % 1800))), duration: .seconds(3))
            board.cameraLink.setFaults(FaultPlan(
                seed: random.next(), direction: .toHost, droppedBytes: dropped, stalls: [stall], unplugs: [unplug]))
            count(["serial-plan": 1, "dropped-byte": dropped.count, "stall": 1, "unplug": 1])
        case .powerCut:
            count(["power-cut": 1])
            board.camera.setPower(false)
            try await clock.sleep(until: clock.deadline(after: plan.powerCutLength), tolerance: nil)
            board.camera.setPower(true)
        case .pirChatter:
            guard let pir = board.wire(.pir) else { return }
            count(["pir-chatter": 1])
            let level = pir.chip.level(of: pir.offset)
            for pulse in 0..<20 {
                pir.chip.drive(pir.offset, to: pulse % 2 == 0 ? !level : level)
                try await clock.sleep(until: clock.deadline(after: .milliseconds(40)), tolerance: nil)
            }
            pir.chip.drive(pir.offset, to: level)
        case .diskFull:
            count(["disk-full": 1])
            diskFull.withLock { $0 = true }
            defer { diskFull.withLock { $0 = false } }
            try await clock.sleep(until: clock.deadline(after: plan.diskFullLength), tolerance: nil)
        case .sample:
            sampleResidentSet()
        }
    }

    private func count(_ faults: [String: Int]) {
        injected.withLock { injected in
            for (kind, number) in faults { injected[kind, default: 0] += number }
        }
    }

    /// While the disk is "full": writes, new files, folders and renames under the storage root
    /// fail with `ENOSPC`, as on a file system without room.
    private func observe(_ call: FileCall) -> Int32? {
        guard diskFull.withLock({ $0 }), call.path.hasPrefix(node.layout.root) else { return nil }
        switch call.name {
        case "write", "mkdir", "rename": return ENOSPC
        case "open" where call.path.hasSuffix(".tmp"): return ENOSPC
        default: return nil
        }
    }

    // MARK: Memory

    /// Called on the hour, every simulated hour.
    private func sampleResidentSet() {
        let now = Self.residentBytes()
        resident.withLock { resident in
            resident.hourly.append((Double(resident.hourly.count + 1), now))
            resident.max = max(resident.max, now)
        }
    }

    /// The process's resident set in bytes (`VmRSS` in /proc/self/status), 0 where unreadable.
    static func residentBytes() -> Int64 {
        let text: String
        do {
            text = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        } catch {
            return 0
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int64($0) })
        else { return 0 }
        let (bytes, overflow) = kilobytes.multipliedReportingOverflow(by: 1024)
        return overflow ? .max : bytes
    }
}
