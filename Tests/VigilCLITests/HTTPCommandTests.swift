import Foundation
import TestSupport
import Testing

/// `vigil http hash-password` and `vigil record`'s `--http`.
@Suite struct HTTPCommandTests {
    @Test func hashPasswordReadsTheSecretFromStandardInputAndPrintsABcryptHash() async throws {
        let vigil = VigilProcess.executable.path
        let result = try await onThreadOfItsOwn {
            try Tool.run("/bin/sh", ["-c", "printf 'open sesame\\n' | '\(vigil)' http hash-password --cost 4"])
        }
        #expect(result.status == 0, "\(result.error)")
        let hash = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hash.hasPrefix("$2b$04$") && hash.count == 60, "\(hash)")
        #expect(!result.output.contains("open sesame"))
        let empty = try await onThreadOfItsOwn { try Tool.run("/bin/sh", ["-c", "'\(vigil)' http hash-password < /dev/null"]) }
        #expect(empty.status != 0 && empty.error.contains("no secret"))
        let cost = try await VigilProcess.run(["http", "hash-password", "--cost", "99"])
        #expect(cost.status != 0 && cost.error.contains("--cost"))
    }

    @Test func recordRefusesABadAddressAndAnOpenOneWithoutAuth() async throws {
        let root = RecordTests.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bad = try await VigilProcess.run(["record", "--board", "sim", "--duration", "1s", "--storage", root, "--http", "8080"])
        #expect(bad.status != 0 && bad.error.contains("--http must be ADDR:PORT"), "\(bad.error)")
        let open = try await VigilProcess.run(["record", "--board", "sim", "--duration", "1s", "--storage", root, "--http", "0.0.0.0:0"])
        #expect(open.status != 0 && open.error.contains("without users or tokens"), "\(open.error)")
        let off = try await VigilProcess.run(["record", "--board", "sim", "--duration", "1s", "--storage", root, "--http", "off"])
        #expect(off.status == 0, "\(off.error)")
        #expect(!off.output.contains("Status page"))
        let served = try await VigilProcess.run(["record", "--board", "sim", "--duration", "1s", "--storage", root, "--http", "127.0.0.1:0"])
        #expect(served.status == 0, "\(served.error)")
        #expect(served.output.contains("Status page: http://127.0.0.1:"), "\(served.output)")
    }
}
