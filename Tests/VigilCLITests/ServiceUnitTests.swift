import Foundation
import TestSupport
import Testing

/// `Tools/vigil.service` as systemd judges it: `systemd-analyze security` on the unit file.
@Suite struct ServiceUnitTests {
    static var unit: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tools/vigil.service").path
    }

    static let analyzer = "/usr/bin/systemd-analyze"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyzer), "needs systemd-analyze (Debian's systemd package)"))
    func theUnitIsSandboxedAsItsKindExpects() throws {
        // systemd-analyze wants a unit name ending in .service; the file is read offline.
        let directory = try TemporaryDirectory("unit")
        defer { directory.remove() }
        let copy = directory.file("vigil.service")
        try FileManager.default.copyItem(atPath: Self.unit, toPath: copy)
        let result = try Tool.run(Self.analyzer, ["security", "--offline=true", "--no-pager", "--threshold=25", copy])
        let output = result.output + result.error
        let exposure = output.split(separator: "\n").first { $0.contains("Overall exposure level") }
        let score = exposure.flatMap { line in line.split(separator: " ").compactMap { Double($0) }.first }
        #expect(result.status == 0, "\(output.suffix(600))")
        #expect((score ?? 99) <= 2.5, "exposure \(score.map { "\($0)" } ?? "unknown"): \(exposure ?? "")")
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        for directive in [
            "ProtectKernelTunables=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n", "SystemCallFilter=@system-service",
            "MemoryMax=", "LockPersonality=yes", "RestrictRealtime=yes", "NoNewPrivileges=yes", "ProtectSystem=strict",
        ] {
            #expect(text.contains(directive), "Tools/vigil.service lacks \(directive)")
        }
    }
}
