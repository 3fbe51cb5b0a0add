import Foundation
import TestSupport
import Testing

@testable import Movies

/// Inputs the fuzz harness (Fuzz/VigilFuzz/MovieHarness.swift) and its review turned up.
@Suite struct DamagedMovieTests {
    /// A "partial movie" holding an HLS playlist that names another movie: libavformat's format
    /// probing took it for HLS and read the other file, so the repair published another
    /// recording's frames. Only the Matroska demuxer may read a movie.
    @Test func aPlaylistInPlaceOfAMovieIsNotFollowed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let other = directory.file("other.mkv")
        let writer = try MovieWriter(path: other, width: 640, height: 480)
        for number in 0..<3 { try writer.append(jpeg: try TestFrames.jpeg(number: number), at: .milliseconds(100 * number)) }
        _ = try writer.finish()
        let partial = directory.file("damaged.mkv.partial")
        let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n\(other)\n#EXT-X-ENDLIST\n"
        try Data(playlist.utf8).write(to: URL(fileURLWithPath: partial))

        #expect(movieError { _ = try MovieReader(path: partial) }?.kind == .invalidMovie)
        let repaired = directory.file("damaged.mkv")
        #expect(movieError { _ = try MovieRepair.finish(partial: partial, to: repaired) }?.kind == .invalidMovie)
        #expect(!fileExists(repaired))
        #expect(fileExists(partial))
        // The real movie still reads.
        #expect(try MovieReader(path: other).width == 640)
    }
}
