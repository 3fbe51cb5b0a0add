import CameraDrivers
import Foundation
import HAL
import Logging
import Node
import Recorder
import Synchronization

/// What the server knows of each camera's live frames, as one more subscriber of the node's
/// frame fan-out: the latest frame with the wall-clock instant it arrived (the node's own
/// clock may be virtual), and the count of live viewers, capped.
final class LiveCameras: Sendable {
    struct Latest: Sendable {
        var frame: CapturedFrame
        var arrived: ContinuousClock.Instant
    }

    let node: CameraNode
    let maxViewers: Int
    private let latest: Mutex<[String: Latest]>
    private let viewers = Atomic<Int>(0)
    private let nodeStopped = Atomic<Bool>(false)
    /// The cameras whose frames `follow` reads now.
    private let following = Mutex<Set<String>>([])

    init(node: CameraNode, maxViewers: Int) {
        self.node = node
        self.maxViewers = maxViewers
        latest = Mutex([:])
    }

    /// Follows every camera's frames (and feeds `metrics`) until the node stops, taking up
    /// cameras a reload adds within a second.
    func follow(metrics: NodeMetrics, logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            while !nodeStopped.load(ordering: .acquiring) {
                for camera in node.cameraNames where following.withLock({ $0.insert(camera).inserted }) {
                    let frames: Subscription<CapturedFrame>
                    do {
                        frames = try node.frames(camera: camera, bufferSize: 16)
                    } catch {
                        logger.warning("http: camera \(camera) has no live view or frame metrics: \(error)")
                        continue
                    }
                    group.addTask { [self] in
                        defer {
                            // A camera a reload removed serves no last frame from before.
                            _ = latest.withLock { $0.removeValue(forKey: camera) }
                            _ = following.withLock { $0.remove(camera) }
                        }
                        var baud: Int?
                        var seen = 0
                        for await frame in frames {
                            let arrived = ContinuousClock.now
                            latest.withLock { $0[camera] = Latest(frame: frame, arrived: arrived) }
                            if seen % 50 == 0 { baud = node.status.cameras.first { $0.name == camera }?.baud }
                            seen &+= 1
                            metrics.observe(frame: frame, camera: camera, baud: baud)
                        }
                    }
                }
                do { try await Task.sleep(for: .seconds(1)) } catch { break }
            }
        }
    }

    /// Says that the node has stopped (its event stream ended): `follow` looks for no more cameras.
    func nodeEnded() { nodeStopped.store(true, ordering: .releasing) }

    func latest(_ camera: String) -> Latest? { latest.withLock { $0[camera] } }

    var viewerCount: Int { viewers.load(ordering: .relaxed) }

    /// Takes a viewer's place; false when all ``maxViewers`` are taken.
    func admitViewer() -> Bool {
        while true {
            let current = viewers.load(ordering: .relaxed)
            guard current < maxViewers else { return false }
            if viewers.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return true }
        }
    }

    func releaseViewer() { viewers.subtract(1, ordering: .relaxed) }

    /// The camera's state from the node's status, and its last error.
    func state(_ camera: String) -> RecorderStatus.CameraStatus? {
        node.status.cameras.first { $0.name == camera }
    }

    /// How old a snapshot may be: the camera's capture period (from its frame rate; 2 s when
    /// unknown, 10 s at most) plus one second.
    func freshness(_ camera: String) -> Duration {
        let fps = state(camera)?.framesPerSecond ?? 0
        let period = fps > 0.1 ? min(10, 1 / fps) : 2
        return .milliseconds(Int64((period + 1) * 1000))
    }

    /// A frame no older than ``freshness(_:)``: the latest, or the next one to come within that
    /// time. Throws a 503 naming the camera's state when none comes.
    func freshFrame(_ camera: String) async throws -> CapturedFrame {
        let limit = freshness(camera)
        if let latest = latest(camera), latest.arrived.duration(to: .now) <= limit { return latest.frame }
        let frames: Subscription<CapturedFrame>
        do {
            frames = try node.frames(camera: camera, bufferSize: 1)
        } catch {
            throw APIError.notFound("\(error)")
        }
        let stale = latest(camera)?.frame
        let deadline = ContinuousClock.now.advanced(by: limit)
        let frame: CapturedFrame? = await withTaskGroup(of: CapturedFrame?.self) { group in
            group.addTask {
                // The subscription replays the latest frame first: skip it when it is the stale one.
                for await frame in frames where frame != stale { return frame }
                return nil
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        if let frame { return frame }
        let state = state(camera)
        let reason = switch state?.state {
        case .cameraLost?: "camera \(camera) is lost" + (state?.lastError.map { ": \($0)" } ?? "")
        case .starting?: "camera \(camera) is still starting"
        case .stopped?: "camera \(camera) is stopped"
        default: "camera \(camera) gave no frame within \(limit.humanReadable)"
        }
        throw APIError(.serviceUnavailable, "camera-unavailable", reason, headers: [.retryAfter: "2"])
    }
}
