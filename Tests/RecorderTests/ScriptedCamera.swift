import CameraDrivers
import HAL
import HALSimulation
import Synchronization

/// A camera without a wire: it delivers the given JPEGs in turn, one every `period` of virtual
/// time, so the recorder's storage side can be driven fast. It can be made to fail for a while.
final class ScriptedCamera: Camera {
    let model = "scripted"
    let clock: VirtualClock
    let frames: [[UInt8]]
    let period: Duration
    let width: Int
    let height: Int
    private let state = Mutex<(next: Int, failUntil: MonotonicInstant)>((0, .zero))
    let motionEvents: AsyncStream<MotionEvent> = AsyncStream { _ in }

    init(clock: VirtualClock, frames: [[UInt8]], width: Int, height: Int, period: Duration) {
        self.clock = clock
        self.frames = frames
        self.width = width
        self.height = height
        self.period = period
    }

    /// Makes every call fail (the camera is gone) until `time`.
    func fail(until time: MonotonicInstant) { state.withLock { $0.failUntil = time } }

    private func check() throws(CameraError) {
        if clock.now < state.withLock({ $0.failUntil }) { throw CameraError(.timedOut, "the scripted camera is unplugged") }
    }

    func connect() async throws(CameraError) -> CameraInfo {
        try check()
        return try await info()
    }

    func info() async throws(CameraError) -> CameraInfo {
        CameraInfo(model: model, version: "1", port: "script", baud: 0, width: width, height: height, compression: 0)
    }

    func configure(_ settings: CameraSettings) async throws(CameraError) {}

    func snapshot(progress: (@Sendable (TransferProgress) -> Void)?) async throws(CameraError) -> CapturedFrame {
        do { try await clock.sleep(until: clock.now.advanced(by: period)) } catch { throw CameraError(.cancelled, "cancelled") }
        try check()
        let index = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        return CapturedFrame(
            jpeg: frames[index % frames.count], captureTime: clock.now, transferTime: period, retries: 0, width: width, height: height)
    }

    let detectsMotion = false
    func setMotionDetection(_ enabled: Bool) async throws(CameraError) {}
}
