import CameraDrivers
import EventStore
import HAL
import Testing

@testable import Recorder

/// A recorder whose board has no status LED and no illuminator runs no outputs loop: its
/// status board shows the LED pattern itself, as the cameras' states change.
@Suite struct StatusLEDPatternTests {
    @Test func thePatternIsTheWorstOfTheCamerasStates() {
        #expect(Recorder.statusLEDPattern(for: []).name == "off")
        #expect(Recorder.statusLEDPattern(for: [.starting, .idle]).name == "idle")
        #expect(Recorder.statusLEDPattern(for: [.idle, .recording]).name == "recording")
        #expect(Recorder.statusLEDPattern(for: [.recording, .cameraLost, .idle]).name == "camera-lost")
    }

    @Test func aBoardLeftToItsOutputsLoopDoesNotSetThePattern() {
        let board = StatusBoard()
        board.updateCamera("yard") { $0.state = .recording }
        #expect(board.current.statusLED == nil)
    }

    @Test func onceAskedTheBoardShowsThePatternAtEachChange() {
        let board = StatusBoard()
        board.updateCamera("yard") { $0.state = .idle }
        board.showStatusLEDPattern()
        #expect(board.current.statusLED == "idle")
        board.updateCamera("gate") { $0.state = .recording }
        #expect(board.current.statusLED == "recording")
        board.updateCamera("yard") { $0.state = .cameraLost }
        #expect(board.current.statusLED == "camera-lost")
        board.update { status in status.cameras.removeAll { $0.name == "yard" } }
        #expect(board.current.statusLED == "recording")
    }

    @Test func aRecorderWithoutOutputsShowsThePatternInItsStatus() async throws {
        let settings = EventMachine<CapturedFrame>.Settings(
            preCapture: .seconds(1), postCapture: .seconds(2), eventGap: .seconds(5), maxMovieLength: .seconds(30))
        let rig = try RecorderRig(visits: [], events: settings, minimalClone: true)
        defer { rig.removeStorage() }
        // The rig's recorder has neither status LED nor illuminator.
        let status = try await rig.record(for: .seconds(3))
        #expect(status.current.statusLED == Recorder.statusLEDPattern(for: status.current.cameras.map(\.state)).name)
        #expect(status.current.statusLED != nil)
    }
}
