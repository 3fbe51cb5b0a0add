import Foundation
import Testing

extension HTTPSuites {
    /// The status page in a real headless browser (Debian's `chromium`, installed by Tools/setup):
    /// the page loads, its live image updates, an event triggered through the API appears with its
    /// state; a screenshot is kept under `.build/artifacts/`.
    @Suite(.enabled(if: Chromium.isAvailable && Curl.isAvailable, "chromium or curl is missing: run Tools/setup"))
    struct StatusPageBrowserTests {
        static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/artifacts").path

        @Test func thePageShowsTheLiveImageTheStateAndAnEventAfterATrigger() async throws {
            let rig = try await HTTPRig.start(configure: { $0.events.postCapture = .seconds(1) })
            // Before any event: the page loads, the live image updates, no events.
            let before = try await Chromium.dumpDOM(rig.base + "/")
            #expect(before.contains("<title>Vigil</title>"))
            let frames = Chromium.attribute("data-frames", in: before).flatMap { Int($0) } ?? 0
            #expect(frames >= 3, "the live image was loaded \(frames) times in 6 s of the page's time")
            #expect(Chromium.attribute("data-state", in: before) == "idle")
            #expect(before.contains("none yet"))
            #expect(before.firstMatch(of: Chromium.eventRow) == nil)

            // A trigger through the API: the page shows the event and the camera recording.
            let trigger = try await Curl.request(rig.base + "/api/v1/cameras/yard/trigger", method: "POST", body: #"{"for": "30s"}"#)
            #expect(trigger.status == 200)
            let after = try await Chromium.dumpDOM(rig.base + "/")
            #expect(after.firstMatch(of: Chromium.eventRow) != nil, "no event row on the page")
            #expect(after.contains("manual"))
            #expect(Chromium.attribute("data-state", in: after) == "recording")

            try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
            let screenshot = Self.artifacts + "/status-page.png"
            try? FileManager.default.removeItem(atPath: screenshot)
            let shot = try await Chromium.run(["--window-size=1280,900", "--screenshot=\(screenshot)", rig.base + "/"])
            #expect(shot.status == 0, "\(shot.error.suffix(500))")
            let png = FileManager.default.contents(atPath: screenshot).map { [UInt8]($0) } ?? []
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "screenshot: \(png.count) bytes")
            await rig.stop()
        }
    }
}

enum Chromium {
    static let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var isAvailable: Bool { path != nil }
    /// An event's row as the page's script renders it (the script's own text has no digit there).
    static var eventRow: Regex<Substring> { /<tr class="event" data-id="\d+">/ }

    /// Headless chromium with 6 s of the page's (virtual) time: timers run, requests are real.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        let profile = NSTemporaryDirectory() + "vigil-chromium-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let result = try await Curl.run(
            path ?? "chromium",
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
             "--user-data-dir=\(profile)", "--virtual-time-budget=6000"] + arguments)
        return (result.status, result.output, result.error)
    }

    static func dumpDOM(_ url: String) async throws -> String {
        let result = try await run(["--dump-dom", url])
        guard result.status == 0 else { throw RigError("chromium failed (\(result.status)): \(result.error.suffix(500))") }
        return result.output
    }

    /// The first `name="value"` in `html`.
    static func attribute(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "\(name)=\"") else { return nil }
        return html[start.upperBound...].split(separator: "\"", maxSplits: 1).first.map(String.init)
    }
}
