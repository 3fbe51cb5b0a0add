import EventStore
import Foundation
import TestSupport
import Testing

@Suite(.serialized, .enabled(if: MosquittoBroker.isAvailable, Comment(rawValue: MosquittoBroker.missingReason)))
struct RecordMQTTTests {
    /// `vigil record` killed with events in its outbox (the broker was away) publishes them,
    /// oldest first, once restarted with the broker back.
    @Test func eventsLeftInTheOutboxBySIGKILLGoOutAfterRestart() async throws {
        let broker = try MosquittoBroker()
        broker.stop()
        let storage = try TemporaryDirectory("record-mqtt")
        defer { storage.remove() }
        let config = storage.file("vigil.yaml")
        try """
            storage: \(storage.path)/data
            cameras: [{name: yard, size: 160x120}]
            triggers: {motion: false, camera-motion: false}
            mqtt: {broker: 127.0.0.1, port: \(broker.port), node: killed}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let index = storage.path + "/data/index.sqlite"
        let first = try Subprocess(
            VigilProcess.executable.path, ["record", "--config", config, "--speed", "40"], outputPath: storage.file("first.log"))
        try await waitUntil("three messages in the outbox (log: \(first.output.suffix(300)))", within: .seconds(30)) {
            ((try? EventIndex(path: index, readOnly: true).outboxCount()) ?? 0) >= 3
        }
        first.send(SIGKILL)
        #expect(await onThreadOfItsOwnWait(first) == 128 + SIGKILL)
        let left = try EventIndex(path: index, readOnly: true).outbox(limit: 1000)
        let expected = left.compactMap { row -> String? in
            guard let json = try? JSONSerialization.jsonObject(with: Data(row.payload)) as? [String: Any],
                  let type = json["type"] as? String, let after = json["after"] as? [String: Any], let id = after["id"] as? String
            else { return nil }
            return "\(type) \(id)"
        }
        #expect(expected.count == left.count && !expected.isEmpty)

        try broker.start()
        let consumer = try MosquittoSubscriber(broker: broker, topics: ["vigil/killed/events"], format: "%p")
        let second = try await VigilProcess.run(["record", "--config", config, "--speed", "40", "--duration", "20s"])
        #expect(second.status == 0, "\(second.error)")
        try consumer.wait("the outbox's messages") { lines in
            let seen = lines.compactMap { line -> String? in
                guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let type = json["type"] as? String, let after = json["after"] as? [String: Any], let id = after["id"] as? String
                else { return nil }
                return "\(type) \(id)"
            }
            return Array(seen.prefix(expected.count)) == expected
        }
        #expect(try EventIndex(path: index, readOnly: true).outboxCount() == 0)
    }

    private func onThreadOfItsOwnWait(_ process: Subprocess) async -> Int32 {
        (try? await onThreadOfItsOwn { process.wait() }) ?? -1
    }
}
