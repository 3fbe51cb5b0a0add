import Foundation
import Node
import Testing

/// Node configurations as an attacker might write them: durations, sizes and mask rectangles
/// past what they can mean, alias bombs, repeated keys, oversized files. Each is refused with
/// its file:line:column and a message; none traps or hangs.
@Suite struct ConfigurationHostileInputTests {
    @Test(arguments: [
        ("events:\n  pre-capture: 9300000000s", "2:16", "'pre-capture' in events must be at most 100 years, not '9300000000s'"),
        ("events:\n  pre-capture: 10m", "2:16", "'pre-capture' in events must be at most 5m, not 10m"),
        ("events:\n  post-capture: 10000000000", "2:17", "must be at most 100 years"),
        ("retention:\n  max-bytes: 9999999999999TB", "2:14", "'max-bytes' in retention must be at most 1 PiB, not '9999999999999TB'"),
        ("retention:\n  min-free: 99999999999999999999999", "2:13", "'min-free' in retention must be at most 1 PiB"),
        ("triggers:\n  motion:\n    mask: [[9223372036854775000, 0, 1000, 10]]", "3:12", "within 65535x65535"),
        ("triggers:\n  motion:\n    mask: [[0, 0, 9223372036854775807, 10]]", "3:12", "within 65535x65535"),
        ("cameras:\n  - size: 9223372036854775807x2", "2:11", "must be WxH"),
        ("storage: /data/../etc", "1:10", "has a '..' component"),
        ("storage: \"/data/a\\x07b\"", "1:10", "holds a control character"),
        ("cameras:\n  - name: ../etc", "2:11", "may hold only letters, digits"),
        ("cameras:\n  - name: \"a\\nb\"", "2:11", "may hold only letters, digits"),
    ])
    func valuesPastWhatTheyCanMeanAreRefusedWhereTheyAre(yaml: String, position: String, message: String) {
        do {
            _ = try NodeConfiguration.parse(yaml: yaml, file: "vigil.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            let text = "\(error)"
            #expect(text.contains("vigil.yaml:\(position):"), "\(text)")
            #expect(text.contains(message), "\(text)")
        }
    }

    @Test func anAliasBombInTheConfigurationIsRefused() {
        var yaml = "storage: /tmp/x\nunknown:\n  l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml += "  l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        do {
            _ = try NodeConfiguration.parse(yaml: yaml, file: "vigil.yaml")
            Issue.record("accepted an alias bomb")
        } catch {
            #expect("\(error)".contains("vigil.yaml:4:"), "\(error)")
            #expect("\(error)".contains("aliases expand the file by more than 100000 values"), "\(error)")
        }
    }

    @Test func aKeyRepeatedAThousandTimesIsReportedInOnePass() {
        let yaml = (0..<1001).map { "storage: /tmp/\($0)\n" }.joined()
        do {
            _ = try NodeConfiguration.parse(yaml: yaml, file: "vigil.yaml")
            Issue.record("accepted duplicates")
        } catch let error as ConfigurationError {
            #expect(error.diagnostics.count == 1000)
            #expect(error.diagnostics.allSatisfy { $0.message.hasPrefix("duplicate key 'storage'") })
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aConfigurationFileOverOneMebibyteIsRefusedUnread() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-big-\(UInt64.random(in: 0...UInt64.max)).yaml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("storage: /tmp/x\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 50_000_000)
        try handle.close()
        do {
            _ = try NodeConfiguration.load(path: path)
            Issue.record("a 50 MB configuration was accepted")
        } catch {
            #expect("\(error)".contains("larger than 1048576 bytes (1 MiB)"), "\(error)")
        }
    }
}
