import Foundation
import HAL
import TestSupport
import Testing

@testable import Node

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SystemdNotifierTests {
    @Test func eachNotificationIsOneDatagramOnAPathSocket() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("notify").path
        let systemd = try NotifySocket(path)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": path]))
        try notifier.ready(status: "watching front")
        try notifier.status("event 12\nrecording")
        try notifier.watchdog()
        try notifier.stopping()
        #expect(systemd.receive() == "READY=1\nSTATUS=watching front\n")
        #expect(systemd.receive() == "STATUS=event 12 recording\n")
        #expect(systemd.receive() == "WATCHDOG=1\n")
        #expect(systemd.receive() == "STOPPING=1\n")
        #expect(systemd.receive() == nil)
    }

    @Test func anAbstractSocketIsNamedWithAnAt() throws {
        let name = "@vigil-test-\(UUID().uuidString)"
        let systemd = try NotifySocket(name)
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": name]))
        try notifier.ready()
        #expect(systemd.receive() == "READY=1\n")
    }

    @Test func failuresAreTypedAndNameTheSocket() throws {
        let missing = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/vigil/notify"]))
        let error = try #require(throws: HALError.self) { try missing.ready() }
        #expect(error.kind == .notFound && error.operation == "sendto" && error.target == "/nonexistent/vigil/notify")
        let relative = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": "run/notify"]))
        #expect(throws: HALError.self) { try relative.watchdog() }
        let long = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)]))
        #expect((try? long.watchdog()) == nil)
    }

    @Test func theEnvironmentSaysWhetherAndHowOftenToPing() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
        let socket = ["NOTIFY_SOCKET": "/run/systemd/notify"]
        #expect(SystemdNotifier(environment: socket)?.watchdogInterval == nil)
        let watchdog = socket.merging(["WATCHDOG_USEC": "30000000"]) { $1 }
        #expect(SystemdNotifier(environment: watchdog, pid: 7)?.watchdogInterval == .seconds(30))
        #expect(SystemdNotifier(environment: watchdog.merging(["WATCHDOG_PID": "7"]) { $1 }, pid: 7)?.watchdogInterval == .seconds(30))
        #expect(SystemdNotifier(environment: watchdog.merging(["WATCHDOG_PID": "8"]) { $1 }, pid: 7)?.watchdogInterval == nil)
        #expect(SystemdNotifier(environment: socket.merging(["WATCHDOG_USEC": "0"]) { $1 })?.watchdogInterval == nil)
        #expect(SystemdNotifier(environment: socket.merging(["WATCHDOG_USEC": "soon"]) { $1 })?.watchdogInterval == nil)
    }
}
