import TestSupport
import Foundation
import Testing

@testable import Movies

#if canImport(Glibc)
    import Glibc
#endif

/// A real SIGKILL: this test binary is started again as a child that records frames until the
/// parent kills it, at whatever point of an append it happens to be.
@Suite struct KillTests {
    static let childVariable = "VIGIL_MOVIES_SIGKILL_CHILD"
    static let width = 320
    static let height = 240
    static func times() -> [Duration] { TestFrames.irregularTimes(count: 400, seed: 0xC0FFEE, start: .seconds(3)) }

    @Test func aMovieKilledMidRecordingKeepsEveryAppendedFrame() throws {
        let directory = try TemporaryDirectory("kill")
        defer { directory.remove() }
        let path = directory.file("killed.mkv")
        let progress = directory.file("progress.txt")
        _ = FileManager.default.createFile(atPath: progress, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: progress))
        defer { try? output.close() }

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["--testing-library", "swift-testing", "--filter", "sigkillChildRecordsUntilKilled"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = path
        child.environment = environment
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        child.standardInput = FileHandle.nullDevice
        try child.run()

        // Kill it once it has appended 25 frames, wherever it is in the 26th.
        do {
            // On this thread: a poll that waited for a turn on a busy task pool could miss the
            // child's whole run.
            try waitBlockingUntil("the child to append 25 frames (it has \(appended(progress)))", within: .seconds(120), every: .milliseconds(2)) {
                appended(progress) >= 25 || !child.isRunning
            }
        } catch {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            throw error
        }
        #expect(child.isRunning, "the child stopped by itself")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)

        let confirmed = appended(progress)
        #expect(confirmed >= 25)
        #expect(!fileExists(path))
        let partial = path + ".partial"
        let found = try MovieProbe.summary(of: partial).frames
        // Every frame whose append returned is there; the one in flight may be too.
        #expect(found >= confirmed && found <= confirmed + 1, "confirmed \(confirmed), found \(found)")
        #expect(try Tool.probe(partial).frames == found)

        let repaired = try MovieRepair.finish(partial: partial, to: path)
        #expect(repaired.frames == found)
        let times = Self.times()
        #expect(try Tool.packetTimes(path) == times.prefix(found).map { ($0 - times[0]).roundedMilliseconds ?? -1 })
        let reader = try MovieReader(path: path)
        var index = 0
        while let frame = try reader.next() {
            #expect(frame.jpeg == (try TestFrames.jpeg(number: index, width: Self.width, height: Self.height)), "frame \(index)")
            index += 1
        }
        #expect(index == found)
    }

    /// The number in the last whole "appended N" line of the child's output.
    private func appended(_ progress: String) -> Int {
        guard let text = try? String(contentsOfFile: progress, encoding: .utf8) else { return 0 }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()  // the last may be torn
        return lines.reversed().lazy.compactMap { line in
            line.hasPrefix("appended ") ? Int(line.dropFirst("appended ".count)) : nil
        }.first ?? 0
    }

    /// The child half of the test above, run only as its child.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[Self.childVariable] != nil, "the child half of aMovieKilledMidRecordingKeepsEveryAppendedFrame, which runs it"))
    func sigkillChildRecordsUntilKilled() throws {
        let path = try #require(ProcessInfo.processInfo.environment[Self.childVariable])
        let writer = try MovieWriter(path: path, width: Self.width, height: Self.height)
        for (index, time) in Self.times().enumerated() {
            let jpeg = try TestFrames.jpeg(number: index, width: Self.width, height: Self.height)
            try writer.append(jpeg: jpeg, at: time)
            let line = Array("appended \(index + 1)\n".utf8)
            _ = line.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        }
        Issue.record("the child was not killed")
    }
}
