import Foundation
import HAL
import Logging
import Recorder
import Synchronization

/// The node as a systemd service (when `NOTIFY_SOCKET` is set): READY once recording, the
/// watchdog fed while frames come, STOPPING at shutdown. Failures to notify are logged, never
/// fatal.
final class SystemdService: Sendable {
    private let notifier: SystemdNotifier
    private let status: StatusBoard
    private let watchdog = Mutex<WatchdogFeeder?>(nil)
    private let logger: Logger

    /// Nil when the process is not a systemd notify service.
    init?(status: StatusBoard, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let notifier = SystemdNotifier(environment: environment) else { return nil }
        self.notifier = notifier
        self.status = status
        self.logger = logger
    }

    /// Says READY, then starts feeding the watchdog (when systemd asked for one).
    func ready(_ text: String) {
        do { try notifier.ready(status: text) } catch { logger.error("sd_notify READY: \(error)") }
        // On a thread of its own, on the wall clock: a simulated board's virtual time must not
        // pace systemd's watchdog.
        let feeder = notifier.watchdogInterval.map { WatchdogFeeder(notifier: notifier, interval: $0 / 2, status: status, logger: logger) }
        watchdog.withLock { $0 = feeder }
    }

    func stopping() {
        watchdog.withLock { $0 }?.stop()
        do { try notifier.stopping() } catch { logger.error("sd_notify STOPPING: \(error)") }
    }
}

/// Pings systemd's watchdog from a thread of its own while some camera still delivers frames:
/// a recorder whose every camera is stuck (no new frame for twenty intervals) stops pinging,
/// so systemd restarts it.
final class WatchdogFeeder: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(notifier: SystemdNotifier, interval: Duration, status: StatusBoard, logger: Logger) {
        start(notifier: notifier, interval: interval, status: status, logger: logger)
    }

    private func start(notifier: SystemdNotifier, interval: Duration, status: StatusBoard, logger: Logger) {
        let thread = Thread { [self] in
            var lastFrames = -1
            var stalledSince = ContinuousClock.now
            while !self.stopped.load(ordering: .relaxed) {
                let frames = status.current.cameras.reduce(0) { $0 + $1.frames }
                if frames != lastFrames {
                    lastFrames = frames
                    stalledSince = .now
                }
                if ContinuousClock.now - stalledSince < interval * 20 {
                    do { try notifier.watchdog() } catch { logger.error("sd_notify WATCHDOG: \(error)") }
                }
                Thread.sleep(forTimeInterval: interval.seconds)
            }
        }
        thread.name = "vigil-watchdog"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}
