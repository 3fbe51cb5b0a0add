import Foundation

/// Reading a board or node configuration file from outside, bounded before it is read whole.
package enum YAMLFile {
    /// Why a file could not be read, as a message to follow its path.
    package struct ReadError: Error, Sendable {
        package let message: String
    }

    /// The text of the file at `path`: at most ``ComposedYAML/maximumSize`` bytes are read,
    /// and a longer file is refused (saying the limit) instead of being read into memory.
    /// Invalid UTF-8 is kept as replacement characters for the YAML reader to point at.
    package static func read(atPath path: String) throws(ReadError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReadError(message: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        defer { try? handle.close() }
        let data: Data?
        do {
            data = try handle.read(upToCount: ComposedYAML.maximumSize + 1)
        } catch {
            throw ReadError(message: "unreadable: \(error.localizedDescription)")
        }
        let bytes = data ?? Data()
        guard bytes.count <= ComposedYAML.maximumSize else {
            throw ReadError(message: "larger than \(ComposedYAML.maximumSize) bytes (1 MiB), the most read")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
