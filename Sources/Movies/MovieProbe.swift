import Files

/// Reads what a movie file holds with libavformat, to reconcile an index with the files on disk.
///
/// Safe to call from any thread, also concurrently: each call has libav contexts of its own.
public enum MovieProbe {
    /// The summary of the movie at `path`: its frames counted by reading every packet of its
    /// MJPEG video stream, and its times computed from their timestamps exactly as
    /// ``MovieWriter`` computes them, so that a writer's summary and a probe of its file agree.
    ///
    /// It reads the whole file (about 50 MB in 0.2 s from the page cache on a desktop; on a
    /// board, as fast as its storage reads). Works on partial files too: it counts the whole frames (SOI to EOI) up to where the file
    /// stops being readable, as ``MovieRepair/finish(partial:to:)`` would recover them.
    ///
    /// - Throws: ``MovieError/Kind/notFound`` if there is no such file,
    ///   ``MovieError/Kind/invalidMovie`` if it is not a readable movie or holds no whole frame,
    ///   or libavformat's failure if the first frame cannot be read.
    public static func summary(of path: String) throws(MovieError) -> MovieSummary {
        let reader = try MovieReader(path: path)
        var timing = FrameTiming()
        var previous = Int64.min
        do throws(MovieError) {
            while try reader.nextPacket({ time, bytes in
                guard JPEGFrame.isComplete(bytes), time >= previous else { return }
                previous = time
                _ = timing.add(time)
            }) {}
        } catch {
            // A torn end: what came before it is the movie.
            if timing.frames == 0 { throw error }
        }
        guard timing.frames > 0 else {
            throw MovieError(kind: .invalidMovie, call: "MovieProbe.summary", message: "the movie holds no whole frame", path: path)
        }
        do {
            return MovieSummary(path: path, timing: timing, bytes: try FileSystem.status(of: path).size)
        } catch {
            throw MovieError(error)
        }
    }
}
