import EventStore
import Foundation
import Recorder
import Testing

@testable import Node

@Suite struct NodeConfigurationTests {
    static var exampleFile: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tools/vigil.yaml").path
    }

    @Test func theExampleFileIsValidAndSaysWhatItShows() throws {
        let configuration = try NodeConfiguration.load(path: Self.exampleFile)
        #expect(configuration.board == "sim")
        #expect(configuration.storage == "/var/lib/vigil")
        #expect(configuration.retention.maxAge == .seconds(30 * 86400))
        #expect(configuration.retention.maxTotalBytes == 20_000_000_000)
        #expect(configuration.retention.minFreeBytes == 256_000_000)
        #expect(configuration.cameras.map(\.name) == ["front"])
        #expect(configuration.cameras[0].width == 320 && configuration.cameras[0].height == 240)
        #expect(configuration.events.preCapture == .seconds(2) && configuration.events.maxMovieLength == .seconds(300))
        #expect(configuration.events.movies)
        #expect(configuration.triggers.motion.settings.masks == [PixelRectangle(x: 0, y: 0, width: 320, height: 24)])
        #expect(configuration.triggers.motion.settings.minimumChangedFraction == 0.004)
        #expect(configuration.triggers.motion.settings.pixelThreshold == 12)
        #expect(configuration.hooks.commands[.eventStart]?.contains("VIGIL_EVENT_ID") == true)
        #expect(configuration.hooks.commands[.movieEnd] == nil)
        #expect(configuration.outputs.ir == .auto)
        #expect(configuration.outputs.irFrom == 19 * 60 && configuration.outputs.irTo == 7 * 60)
    }

    @Test func anEmptyFileMeansTheDefaults() throws {
        let configuration = try NodeConfiguration.parse(yaml: "", file: "empty.yaml")
        #expect(configuration.cameras.count == 1)
        #expect(configuration.cameras[0].name == "camera")
        #expect(configuration.triggers.pir && configuration.triggers.motion.enabled)
        #expect(configuration.events.movies)
    }

    @Test func moviesCanBeSwitchedOff() throws {
        let configuration = try NodeConfiguration.parse(
            yaml: "events:\n  movies: false\ntriggers:\n  motion:\n    enabled: false\n", file: "snapshots.yaml")
        #expect(!configuration.events.movies)
        #expect(!configuration.triggers.motion.enabled)
        // The other event timings keep their defaults.
        #expect(configuration.events.postCapture == .seconds(5))
    }

    @Test(arguments: [
        ("cameras: []", "1:10", "must list at least one camera"),
        ("events:\n  pre-capture: soon", "2:16", "must be a duration"),
        ("events:\n  movies: never", "2:11", "must be true or false"),
        ("events:\n  post-capture: 10s\n  event-gap: 5s", "3:14", "must be at least 'post-capture'"),
        ("retention:\n  max-bytes: lots", "2:14", "must be a size"),
        ("cameras:\n  - name: front\n    baud: 12345", "3:11", "must be one of 9600"),
        ("cameras:\n  - name: a b", "2:11", "may hold only letters"),
        ("cameras:\n  - name: x\n  - name: x", "3:11", "is used twice"),
        ("cameras:\n  - size: big", "2:11", "must be WxH"),
        ("triggers:\n  motion:\n    threshold: 300", "3:16", "must be from 1 to 255"),
        ("triggers:\n  motion:\n    mask: [[1, 2, 3]]", "3:12", "[x, y, width, height]"),
        ("hooks:\n  on-fire: echo", "2:3", "unknown key 'on-fire' in hooks"),
        ("outputs:\n  ir: sometimes", "2:7", "unknown IR mode 'sometimes'"),
        ("outputs:\n  ir-schedule: evenings", "2:16", "must be HH:MM-HH:MM"),
        ("storage: /x\nstorage: /y", "2:1", "duplicate key 'storage'"),
        ("cameras: [", "2:1", "YAML syntax error"),
    ])
    func mistakesArePointedAt(yaml: String, position: String, message: String) {
        do {
            _ = try NodeConfiguration.parse(yaml: yaml, file: "vigil.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let error as ConfigurationError {
            let text = error.description
            #expect(text.contains("vigil.yaml:\(position):"), "\(text)")
            #expect(text.contains(message), "\(text)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func everyProblemIsReportedInOnePass() {
        let yaml = "events:\n  pre-capture: x\ntriggers:\n  pir: maybe\nbogus: 1\n"
        #expect {
            try NodeConfiguration.parse(yaml: yaml, file: "c.yaml")
        } throws: { error in
            (error as? ConfigurationError)?.diagnostics.count == 3
        }
    }
}
