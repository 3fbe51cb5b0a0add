import Foundation
import HAL
import Testing

@Suite struct AtomicFileCopyTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-atomic-\(UUID().uuidString)").path

    @Test func copiesAFileOfSeveralChunksByteForByte() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = (0..<(5 << 19) + 7).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try AtomicFile.write(bytes, to: directory + "/source.mkv")
        try AtomicFile.write([1, 2, 3], to: directory + "/copy.mkv")
        #expect(try AtomicFile.copy(from: directory + "/source.mkv", to: directory + "/copy.mkv") == Int64(bytes.count))
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/copy.mkv"))) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["copy.mkv", "source.mkv"])
    }

    @Test func aFailedCopyLeavesTheTargetAsItWasAndNoTemporaryFile() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try AtomicFile.write([9, 9], to: directory + "/copy.mkv")
        let missing = try #require(throws: HALError.self) { try AtomicFile.copy(from: directory + "/none.mkv", to: directory + "/copy.mkv") }
        #expect(missing.kind == .notFound && missing.operation == "open" && missing.target == directory + "/none.mkv")
        // Reading a directory fails after the temporary file was made.
        let unreadable = try #require(throws: HALError.self) { try AtomicFile.copy(from: directory, to: directory + "/copy.mkv") }
        #expect(unreadable.operation == "read")
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/copy.mkv"))) == [9, 9])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["copy.mkv"])
    }
}
