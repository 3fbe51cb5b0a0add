import CameraDrivers
import EventStore
import Foundation
import HAL
import Movies
import Recorder
import TestSupport
import Testing

/// An hour of a scripted scene on virtual time: the recorder's events and movies against the
/// script.
@Suite struct RecordingHourTests {
    static let visits: [RecorderRig.Visit] = [
        .init(start: 120, length: 12), .init(start: 400, length: 30), .init(start: 700, length: 5),
        .init(start: 1000, length: 95), .init(start: 1500, length: 20), .init(start: 2000, length: 45),
        .init(start: 2600, length: 8), .init(start: 3100, length: 60), .init(start: 3500, length: 15),
    ]

    @Test func aMinimalCloneStillRecordsPlayableMoviesOfItsRealSize() async throws {
        let settings = EventMachine<CapturedFrame>.Settings(
            preCapture: .seconds(2), postCapture: .seconds(5), eventGap: .seconds(10), maxMovieLength: .seconds(60))
        let rig = try RecorderRig(visits: [.init(start: 30, length: 10)], events: settings, size: .qqvga, minimalClone: true)
        defer { rig.removeStorage() }
        try await rig.record(for: .seconds(60))
        #expect(rig.camera.warnings.count == 2, "\(rig.camera.warnings)")
        let events = try rig.index.events()
        #expect(events.count == 1 && events.first?.state == .finished, "\(events)")
        let movies = try events.flatMap { try rig.index.movies(eventID: $0.id) }
        #expect(!movies.isEmpty)
        for movie in movies {
            let probe = try Tool.probe(movie.path)
            #expect(probe.codec == "mjpeg" && probe.frames == movie.frames && movie.frames > 0, "\(movie.path)")
            let decode = try Tool.run(Tool.ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", movie.path])
            #expect(decode.output.trimmingCharacters(in: .whitespacesAndNewlines) == "160,120", "\(movie.path): \(decode.output)\(decode.error)")
        }
    }

    @Test func anHourOfVisitsBecomesOneEventEachMatchingTheScript() async throws {
        let settings = EventMachine<CapturedFrame>.Settings(
            preCapture: .seconds(2), postCapture: .seconds(5), eventGap: .seconds(10), maxMovieLength: .seconds(60))
        let rig = try RecorderRig(visits: Self.visits, events: settings)
        defer { rig.removeStorage() }
        try await rig.record(for: .seconds(3600))

        let events = try rig.index.events().sorted { $0.start < $1.start }
        #expect(events.count == Self.visits.count, "events: \(events)")
        for (event, visit) in zip(events, Self.visits) {
            let movies = try rig.index.movies(eventID: event.id).sorted { $0.start < $1.start }
            // Every frame of the event, with its wall-clock time, from the movies themselves.
            var frames: [Date] = []
            for movie in movies {
                let times = try Tool.packetTimes(movie.path)
                #expect(times.count == movie.frames, "\(movie.path)")
                frames += times.map { movie.start.addingTimeInterval(Double($0) / 1000) }
            }
            let intervals = zip(frames.dropFirst(), frames).map { $0.timeIntervalSince($1) }
            let period = intervals.max() ?? 0
            #expect(period > 0 && period < 1, "frame period \(period) s at 160x120, 115200 baud")

            #expect(event.state == .finished)
            #expect(event.triggers == ["pir"])
            #expect(abs(event.start.timeIntervalSince(rig.date(visit.start))) < 0.001, "event \(event.id) starts with the PIR edge")
            let expectedEnd = rig.date(visit.end + 5)
            let end = try #require(event.end)
            #expect(end <= expectedEnd.addingTimeInterval(0.001) && end > expectedEnd.addingTimeInterval(-period), "event \(event.id) ends \(end.timeIntervalSince(expectedEnd)) s from the script's end + post-capture")
            #expect(abs((frames.last ?? .distantPast).timeIntervalSince(end)) < 0.001)
            // Pre-capture: frames from 2 s before the trigger (within one frame period), none missing.
            let first = try #require(frames.first)
            #expect(first < event.start)
            #expect(first >= event.start.addingTimeInterval(-2) && first < event.start.addingTimeInterval(-2 + period))
            #expect(event.frames == frames.count)
            // A 95 s visit is 102 s of movie: two movies of at most 60 s.
            let expectedMovies = Int(((visit.length + 7) / 60).rounded(.up))
            #expect(movies.count == expectedMovies, "event \(event.id): \(movies.map(\.path))")
            for movie in movies {
                #expect(movie.finished)
                let probe = try Tool.probe(movie.path)
                #expect(probe.codec == "mjpeg")
                #expect(probe.frames == movie.frames)
                let decode = try Tool.run(Tool.ffmpeg, ["-v", "error", "-i", movie.path, "-f", "null", "-"])
                #expect(decode.status == 0 && decode.error.isEmpty && decode.output.isEmpty, "\(decode.error)")
            }
            #expect(event.snapshot.map { FileManager.default.fileExists(atPath: $0) } == true)
        }
    }
}
