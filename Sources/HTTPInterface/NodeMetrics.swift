import CameraDrivers
import CoreMetrics
import Foundation
import HAL
import Metrics
import Node
import Prometheus
import Recorder
import Synchronization

/// The node's figures in Prometheus' text format (`GET /metrics`), kept through swift-metrics
/// with swift-prometheus' factory on a registry of the server's own (the process' global
/// metrics system is left alone).
///
/// Everything is derived as a consumer of the node's API: frames as they are fanned out
/// (bytes, transfer times, re-reads, share of the line rate), typed events (events, movies,
/// cameras lost, retention deletions, hook runs and failures), and the status at each scrape (frames captured, errors, reconnects, camera
/// up, storage).
final class NodeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Per camera, made when a camera is first seen (a reload may add cameras).
    private let cameras: Mutex<[String: CameraMetrics]>
    private let storageUsed: CoreMetrics.Gauge
    private let storageFree: CoreMetrics.Gauge
    private let storageEvents: CoreMetrics.Gauge
    private let uptime: CoreMetrics.Gauge
    private let droppedFrames: CoreMetrics.Gauge
    private let droppedEvents: CoreMetrics.Gauge
    private let storageLow: CoreMetrics.Counter
    private let nodeErrors: CoreMetrics.Counter
    private let retentionDeletedEvents: CoreMetrics.Counter
    private let retentionFreedBytes: CoreMetrics.Counter
    private let hookRuns: CoreMetrics.Counter
    private let hookFailures: CoreMetrics.Counter
    let liveViewers: CoreMetrics.Gauge
    private let requests = Mutex<[String: CoreMetrics.Counter]>([:])

    struct CameraMetrics: Sendable {
        let frames: CoreMetrics.Counter
        let frameBytes: CoreMetrics.Counter
        let transfer: CoreMetrics.Timer
        let lineRate: CoreMetrics.Gauge
        let rereads: CoreMetrics.Counter
        let errors: CoreMetrics.Counter
        let reconnects: CoreMetrics.Counter
        let up: CoreMetrics.Gauge
        let lost: CoreMetrics.Counter
        let events: CoreMetrics.Counter
        let movies: CoreMetrics.Counter
        let movieBytes: CoreMetrics.Counter
        let recording: CoreMetrics.Gauge
        let framesPerSecond: CoreMetrics.Gauge

        init(camera: String, factory: PrometheusMetricsFactory) {
            let dimensions = [("camera", camera)]
            func counter(_ label: String) -> CoreMetrics.Counter { CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory) }
            func gauge(_ label: String) -> CoreMetrics.Gauge { CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory) }
            frames = counter("vigil_camera_frames_total")
            frameBytes = counter("vigil_camera_frame_bytes_total")
            transfer = CoreMetrics.Timer(label: "vigil_camera_transfer_seconds", dimensions: dimensions, factory: factory)
            lineRate = gauge("vigil_camera_line_rate_ratio")
            rereads = counter("vigil_camera_frame_rereads_total")
            errors = counter("vigil_camera_errors_total")
            reconnects = counter("vigil_camera_reconnects_total")
            up = gauge("vigil_camera_up")
            lost = counter("vigil_camera_lost_total")
            events = counter("vigil_events_total")
            movies = counter("vigil_movies_total")
            movieBytes = counter("vigil_movie_bytes_total")
            recording = gauge("vigil_camera_recording")
            framesPerSecond = gauge("vigil_camera_frames_per_second")
        }
    }

    /// `camera`'s metrics, made the first time it is seen.
    private func metrics(_ camera: String) -> CameraMetrics {
        cameras.withLock { cameras in
            if let metrics = cameras[camera] { return metrics }
            let metrics = CameraMetrics(camera: camera, factory: factory)
            cameras[camera] = metrics
            return metrics
        }
    }

    /// Cumulative figures from the status, so counters move by what changed since the last scrape.
    private let lastStatus = Mutex<[String: (frames: Int, errors: Int, reconnects: Int)]>([:])

    init(cameraNames: [String], version: String) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
            .seconds(1.5), .seconds(3), .seconds(6), .seconds(12),
        ]
        self.factory = factory
        cameras = Mutex(Dictionary(uniqueKeysWithValues: cameraNames.map { ($0, CameraMetrics(camera: $0, factory: factory)) }))
        storageUsed = CoreMetrics.Gauge(label: "vigil_storage_used_bytes", factory: factory)
        storageFree = CoreMetrics.Gauge(label: "vigil_storage_free_bytes", factory: factory)
        storageEvents = CoreMetrics.Gauge(label: "vigil_storage_events", factory: factory)
        uptime = CoreMetrics.Gauge(label: "vigil_uptime_seconds", factory: factory)
        droppedFrames = CoreMetrics.Gauge(label: "vigil_subscriber_dropped_frames", factory: factory)
        droppedEvents = CoreMetrics.Gauge(label: "vigil_subscriber_dropped_events", factory: factory)
        storageLow = CoreMetrics.Counter(label: "vigil_storage_low_total", factory: factory)
        nodeErrors = CoreMetrics.Counter(label: "vigil_errors_total", factory: factory)
        retentionDeletedEvents = CoreMetrics.Counter(label: "vigil_retention_deleted_events_total", factory: factory)
        retentionFreedBytes = CoreMetrics.Counter(label: "vigil_retention_freed_bytes_total", factory: factory)
        hookRuns = CoreMetrics.Counter(label: "vigil_hook_runs_total", factory: factory)
        hookFailures = CoreMetrics.Counter(label: "vigil_hook_failures_total", factory: factory)
        liveViewers = CoreMetrics.Gauge(label: "vigil_http_live_viewers", factory: factory)
        CoreMetrics.Gauge(label: "vigil_build_info", dimensions: [("version", version)], factory: factory).record(1)
    }

    /// A frame `camera` delivered; `baud` is the camera's line rate, when known.
    func observe(frame: CapturedFrame, camera: String, baud: Int?) {
        let metrics = metrics(camera)
        metrics.frameBytes.increment(by: Int64(frame.jpeg.count))
        metrics.transfer.recordNanoseconds(frame.transferTime.nanoseconds)
        if frame.retries > 0 { metrics.rereads.increment(by: Int64(frame.retries)) }
        let seconds = frame.transferTime.seconds
        if let baud, baud > 0, seconds > 0 {
            // 10 bits a byte on an 8N1 line.
            metrics.lineRate.record(Double(frame.jpeg.count) * 10 / (Double(baud) * seconds))
        }
    }

    func observe(event: RecorderEvent) {
        switch event {
        case .eventEnded(let record): metrics(record.camera).events.increment()
        case .movieFinished(let movie):
            metrics(movie.camera).movies.increment()
            metrics(movie.camera).movieBytes.increment(by: max(0, movie.bytes))
        case .cameraLost(let camera, _, _): metrics(camera).lost.increment()
        case .storageLow: storageLow.increment()
        case .error: nodeErrors.increment()
        case .retention(let events, let bytes, _):
            retentionDeletedEvents.increment(by: Int64(events))
            retentionFreedBytes.increment(by: max(0, bytes))
        case .hookStarted: hookRuns.increment()
        case .hookFailed: hookFailures.increment()
        default: break
        }
    }

    func countRequest(method: String, status: Int) {
        let key = "\(method) \(status)"
        let counter = requests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(
                label: "vigil_http_requests_total", dimensions: [("method", method), ("code", String(status))], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Brings the status-derived figures up to date and renders the registry.
    func render(status: RecorderStatus, dropped: (events: Int, frames: Int)) -> [UInt8] {
        lastStatus.withLock { last in
            for camera in status.cameras {
                let metrics = metrics(camera.name)
                let before = last[camera.name] ?? (0, 0, 0)
                if camera.frames > before.frames { metrics.frames.increment(by: Int64(camera.frames - before.frames)) }
                if camera.errors > before.errors { metrics.errors.increment(by: Int64(camera.errors - before.errors)) }
                if camera.reconnects > before.reconnects { metrics.reconnects.increment(by: Int64(camera.reconnects - before.reconnects)) }
                last[camera.name] = (max(before.frames, camera.frames), max(before.errors, camera.errors), max(before.reconnects, camera.reconnects))
                metrics.up.record(camera.connected && camera.state != .cameraLost ? 1 : 0)
                metrics.recording.record(camera.state == .recording ? 1 : 0)
                metrics.framesPerSecond.record(camera.framesPerSecond)
            }
        }
        if let storage = status.storage {
            storageUsed.record(storage.usedBytes)
            if let free = storage.freeBytes { storageFree.record(free) }
            storageEvents.record(storage.events)
        }
        if let seconds = status.uptimeSeconds { uptime.record(seconds) }
        droppedFrames.record(dropped.frames)
        droppedEvents.record(dropped.events)
        return registry.emitToBuffer()
    }
}
