import EventStore
import Files
import Foundation
import Movies
import Recorder
import TestSupport
import Testing

/// What a restart's reconcile makes of movies a killed recorder left.
struct ReconcileTests {
    @Test func aMovieBegunButGivenNoFrameGoesWithItsRowAndATornOneStays() throws {
        let directory = try TemporaryDirectory("reconcile")
        defer { directory.remove() }
        let layout = StorageLayout(root: directory.path)
        let index = try EventIndex(path: layout.indexPath)
        let start = Date(timeIntervalSince1970: 1_764_900_000)
        try layout.createDirectory(camera: "yard", start: start)

        // Killed between opening the movie and its first frame: a header, nothing else.
        let emptyPath = try layout.moviePath(camera: "yard", start: start)
        try MovieWriter(path: emptyPath, width: 160, height: 120).abandon()
        let event = try index.beginEvent(camera: "yard", start: start)
        _ = try index.addMovie(eventID: event.id, path: emptyPath, start: start)
        // A partial file that cannot be read at all may hold frames: it stays for a later try.
        let tornPath = try layout.moviePath(camera: "yard", start: start.addingTimeInterval(60))
        try Data(repeating: 0x1A, count: 300).write(to: URL(fileURLWithPath: tornPath + StorageLayout.partialSuffix))

        #expect(MovieRepair.holdsNoFrame(emptyPath + StorageLayout.partialSuffix))
        #expect(!MovieRepair.holdsNoFrame(tornPath + StorageLayout.partialSuffix))
        let report = try Recorder.reconcile(layout: layout, index: index)
        #expect(!FileSystem.isFile(emptyPath + StorageLayout.partialSuffix) && !FileSystem.isFile(emptyPath))
        #expect(try index.movies(eventID: event.id).isEmpty, "the empty movie's row is gone")
        #expect(FileSystem.isFile(tornPath + StorageLayout.partialSuffix), "the unreadable one is kept")
        #expect(report.unrepairable == [tornPath + StorageLayout.partialSuffix], "\(report)")
    }
}
