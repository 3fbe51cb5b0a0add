import Files
import Foundation
import Testing

@Suite struct PublishCopyTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-atomic-\(UUID().uuidString)").path

    @Test func copiesAFileOfSeveralChunksByteForByte() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = (0..<(5 << 19) + 7).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try FileSystem.publish(bytes, to: directory + "/source.mkv")
        try FileSystem.publish([1, 2, 3], to: directory + "/copy.mkv")
        #expect(try FileSystem.publishCopy(of: directory + "/source.mkv", to: directory + "/copy.mkv") == Int64(bytes.count))
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/copy.mkv"))) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["copy.mkv", "source.mkv"])
    }

    @Test func aFailedCopyLeavesTheTargetAsItWasAndNoTemporaryFile() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileSystem.publish([9, 9], to: directory + "/copy.mkv")
        let missing = try #require(throws: FileError.self) {
            try FileSystem.publishCopy(of: directory + "/none.mkv", to: directory + "/copy.mkv")
        }
        #expect(missing.kind == .notFound && missing.call == "open" && missing.path == directory + "/none.mkv")
        // Reading a directory fails after the temporary file was made.
        let unreadable = try #require(throws: FileError.self) {
            try FileSystem.publishCopy(of: directory, to: directory + "/copy.mkv")
        }
        #expect(unreadable.call == "read")
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/copy.mkv"))) == [9, 9])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["copy.mkv"])
    }
}
