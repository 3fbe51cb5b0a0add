import Files

/// Turns the partial file a crashed or interrupted ``MovieWriter`` left into a finished movie.
///
/// Safe to call from any thread, also concurrently for different files.
public enum MovieRepair {
    /// Remuxes every readable frame of `partial` (same bytes, same timestamps relative to its
    /// first frame, same metadata) into a finished movie at `path`, then removes `partial`.
    ///
    /// The new movie is written to `path + ".repairing"` and renamed to `path` when finished,
    /// so a crash during the repair leaves `partial` untouched (and a stale `.repairing` file
    /// that the next repair replaces). Frames are read up to the first point where the file is
    /// unreadable (a torn end); frames that are not whole JPEGs of the movie's size, or out of
    /// time order, are skipped.
    ///
    /// - Returns: the finished movie's summary.
    /// - Throws: ``MovieError/Kind/invalidArgument`` if `partial` and `path` are the same;
    ///   ``MovieError/Kind/notFound`` if `partial` does not exist; ``MovieError/Kind/invalidMovie``
    ///   if it holds no readable frame (it is left in place); a libav or file-system failure
    ///   while writing (``MovieError/Kind/diskFull``, ...), after which `partial` is left in
    ///   place and nothing is at `path`.
    public static func finish(partial: String, to path: String) throws(MovieError) -> MovieSummary {
        let temporary = path + ".repairing"
        guard partial != path, partial != temporary else {
            throw MovieError(
                kind: .invalidArgument, call: "MovieRepair.finish",
                message: "the partial file and the finished movie must be different files", path: path)
        }
        let reader = try MovieReader(path: partial)
        let writer = try MovieWriter(
            path: path, partialPath: temporary, replacingPartial: true, width: reader.width, height: reader.height,
            metadata: reader.metadata)
        var readFailure: MovieError? = nil
        while true {
            let frame: MovieFrame?
            do throws(MovieError) {
                frame = try reader.next()
            } catch {
                readFailure = error  // a torn end: the frames before it are the movie
                break
            }
            guard let frame else { break }
            do throws(MovieError) {
                try writer.append(jpeg: frame.jpeg, at: frame.time)
            } catch where error.kind == .invalidFrame || error.kind == .timestampOrder {
                continue
            } catch {
                writer.abandon()
                FileSystem.removeIfPresent(temporary)
                throw error
            }
        }
        guard writer.frames > 0 else {
            writer.abandon()
            FileSystem.removeIfPresent(temporary)
            throw readFailure
                ?? MovieError(
                    kind: .invalidMovie, call: "MovieRepair.finish", message: "the partial file holds no readable frame",
                    path: partial)
        }
        let summary: MovieSummary
        do throws(MovieError) {
            summary = try writer.finish()
        } catch {
            FileSystem.removeIfPresent(temporary)
            throw error
        }
        do {
            try FileSystem.removeFile(partial)
        } catch {
            throw MovieError(error)
        }
        // Best effort: should the removal be lost in a power cut, the next reconcile repairs
        // the partial file again, to the same movie.
        do { try FileSystem.syncDirectory(FileSystem.parentDirectory(of: partial)) } catch {}
        return summary
    }

    /// Whether `partial` is a movie the writer began but put no frame in (killed between
    /// opening it and the first frame): a Matroska header (EBML magic) of at most 64 KiB with no
    /// Cluster element in it. Such a file holds nothing to repair or keep. False for anything
    /// else, a file that cannot be read included: it may hold frames, and stays.
    public static func holdsNoFrame(_ partial: String) -> Bool {
        guard let size = FileSystem.size(of: partial), size <= 65_536 else { return false }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readPrefix(of: partial, limit: 65_536)
        } catch {
            return false
        }
        let magic: [UInt8] = [0x1A, 0x45, 0xDF, 0xA3]
        let cluster: [UInt8] = [0x1F, 0x43, 0xB6, 0x75]
        guard bytes.starts(with: magic) else { return false }
        return !bytes.indices.contains { bytes[$0...].starts(with: cluster) }
    }
}
