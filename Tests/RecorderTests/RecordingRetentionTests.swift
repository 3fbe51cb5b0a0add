import CameraDrivers
import EventStore
import Foundation
import HAL
import HALSimulation
import Logging
import Recorder
import Scenes
import Synchronization
import Testing

/// Retention while recording, with a wire-less camera so that tens of megabytes pass quickly.
@Suite struct RecordingRetentionTests {
    /// Real 640x480 JPEGs of a street, about 35 KB each.
    static let frames: [[UInt8]] = {
        let scene = SyntheticScene(seed: 3)
        return (0..<8).compactMap { index in
            try? scene.frame(at: MonotonicInstant(nanoseconds: Int64(index) * 66_000_000), width: 640, height: 480, quality: 75).jpeg
        }
    }()

    static func bytes(under root: String) -> Int64 {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".mkv") || $0.hasSuffix(".partial") || $0.hasSuffix(".jpg") }.reduce(Int64(0)) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: root + "/" + file)[.size] as? Int64) ?? 0)
        }
    }

    @Test func aFiftyMegabyteCapIsNeverExceededByMoreThanOneMovie() async throws {
        let clock = VirtualClock()
        let root = NSTemporaryDirectory() + "vigil-retention-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = StorageLayout(root: root)
        let index = try EventIndex(path: layout.indexPath)
        let cap: Int64 = 50_000_000
        let storage = RecorderStorage(
            layout: layout, index: index, retention: RetentionPolicy(maxTotalBytes: cap),
            wallClock: WallClock(date: Date(timeIntervalSince1970: 1_790_000_000), instant: clock.now))
        let camera = ScriptedCamera(clock: clock, frames: Self.frames, width: 640, height: 480, period: .milliseconds(100))
        let largestMovie = Mutex<Int64>(0)
        let worst = Mutex<(excess: Int64, movies: Int)>((0, 0))
        var logger = Logger(label: "test.retention")
        logger.logLevel = .critical
        let status = StatusBoard()
        let recorder = CameraRecorder(
            name: "gate", camera: camera, clock: clock,
            events: .init(preCapture: .seconds(1), postCapture: .seconds(1), eventGap: .seconds(2), maxMovieLength: .seconds(10)),
            useCameraMotion: false, motion: nil, storage: storage, status: status, logger: logger,
            observer: RecorderObserver(event: { event in
                guard case .movieFinished(let movie) = event else { return }
                let path = movie.path
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
                largestMovie.withLock { $0 = max($0, size) }
                // Retention runs right after this movie ends; measured at the next movie's end.
                let onDisk = Self.bytes(under: root)
                worst.withLock { $0 = (max($0.excess, onDisk - cap), $0.movies + 1) }
            }))
        try await Simulation.run(clock: clock) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                group.addTask {
                    // Someone in view for 25 s of every 30 s, for 10 minutes: about 110 MB of movies.
                    for cycle in 0..<20 {
                        recorder.trigger(Trigger(.pir, at: clock.now, phase: .began))
                        try? await clock.sleep(until: MonotonicInstant(nanoseconds: Int64(cycle * 30 + 25) * 1_000_000_000))
                        recorder.trigger(Trigger(.pir, at: clock.now, phase: .ended))
                        try? await clock.sleep(until: MonotonicInstant(nanoseconds: Int64(cycle + 1) * 30_000_000_000))
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        let (excess, movies) = worst.withLock { $0 }
        let largest = largestMovie.withLock { $0 }
        #expect(movies > 40, "only \(movies) movies")
        #expect(largest > 1_000_000)
        #expect(excess <= largest, "the storage went \(excess) bytes over the cap; a movie is at most \(largest)")
        let final = Self.bytes(under: root)
        #expect(final <= cap + largest)
        let deleted = try index.events()
        #expect(deleted.count < 20, "retention deleted no event")
        print("retention at a 50 MB cap: \(movies) movies of up to \(largest) bytes; worst excess \(excess) bytes, \(final) bytes at the end")
    }
}
