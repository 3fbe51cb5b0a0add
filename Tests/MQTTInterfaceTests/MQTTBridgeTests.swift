import EventStore
import Foundation
import MQTTInterface
import Node
import Recorder
import TestSupport
import Testing

@Suite(.serialized, .enabled(if: MosquittoBroker.isAvailable, Comment(rawValue: MosquittoBroker.missingReason)))
struct MQTTBridgeTests {
    @Test func publishesAvailabilityMotionEventsAndStateAndAnswersCommands() async throws {
        let broker = try MosquittoBroker()
        let rig = try MQTTRig(port: broker.port)
        defer { rig.storage.remove() }
        let base = "vigil/testnode"
        let events = try MosquittoSubscriber(broker: broker, topics: ["\(base)/events"], format: "%p")
        let others = try MosquittoSubscriber(
            broker: broker,
            topics: ["\(base)/availability", "\(base)/yard/motion", "\(base)/yard/state", "\(base)/errors", "\(base)/yard/ir/state", "\(base)/status"])
        let node = try rig.makeNode()
        _ = try await rig.record(node, for: .seconds(150)) { node in
            try await waitUntil("the bridge to say online", within: .seconds(10)) { others.lines.contains("\(base)/availability online") }
            for (topic, payload) in [
                ("yard/trigger/set", "5s"), ("yard/ir/set", "on"), ("yard/ir/set", "purple"), ("yard/frobnicate/set", "1"),
                ("porch/trigger/set", "5s"), ("yard/trigger/set", "forever"),
            ] {
                try await offPool { try broker.publish("\(base)/\(topic)", payload) }
            }
            try await waitUntil("four error answers", within: .seconds(20)) { others.lines.filter { $0.hasPrefix("\(base)/errors ") }.count >= 4 }
            try await waitUntil("the manual event", within: .seconds(20)) {
                node.status.cameras.contains { ($0.currentEvent ?? $0.lastEvent)?.triggers.contains("manual") == true }
            }
        }
        let indexed = try rig.indexedEvents()
        #expect(indexed.count >= 2, "the PIR fires about every 45 s of node time")
        #expect(indexed.contains { $0.triggers.contains("manual") }, "the trigger command started an event")
        try events.wait("a new and an end message for each indexed event") { lines in
            let seen = Set(decodeEvents(lines).map { "\($0.type.rawValue) \($0.after.eventID)" })
            return indexed.allSatisfy { seen.contains("new \($0.id)") && seen.contains("end \($0.id)") }
        }
        let messages = decodeEvents(events.lines)
        for event in indexed {
            let end = try #require(messages.first { $0.type == .end && $0.after.eventID == event.id })
            #expect(end.after.id == "testnode-\(event.id)")
            #expect(end.after.camera == "yard" && end.after.label == "motion")
            #expect(end.after.frames == event.frames && end.after.triggers == event.triggers)
            #expect(abs(end.after.startTime - event.start.timeIntervalSince1970) < 0.001)
            #expect(end.after.endTime.map { abs($0 - (event.end?.timeIntervalSince1970 ?? 0)) < 0.001 } == true)
            #expect(end.after.hasClip && !end.after.movies.isEmpty)
            #expect(end.after.hasSnapshot == (event.snapshot != nil))
        }
        try others.wait("offline at the end") { $0.last == "\(base)/availability offline" }
        let lines = others.lines
        #expect(lines.contains("\(base)/yard/motion ON") && lines.contains("\(base)/yard/motion OFF"))
        #expect(lines.contains("\(base)/yard/ir/state on"))
        let errors = lines.filter { $0.hasPrefix("\(base)/errors ") }
        #expect(errors.contains { $0.contains("purple") && $0.contains("not an IR mode") })
        #expect(errors.contains { $0.contains("unknown command 'frobnicate'") })
        #expect(errors.contains { $0.contains("no camera named 'porch'") })
        #expect(errors.contains { $0.contains("not a duration") })
        let state = try #require(lines.last { $0.hasPrefix("\(base)/yard/state ") })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(state.dropFirst("\(base)/yard/state ".count).utf8)) as? [String: Any])
        for key in ["state", "fps", "frames_per_minute", "last_frame", "errors"] { #expect(json[key] != nil, "state lacks \(key)") }
        #expect(lines.contains { $0.hasPrefix("\(base)/status ") && $0.contains("\"disk_free_bytes\"") })
        // The last snapshot, retained, is a whole JPEG.
        let snapshot = try broker.readPayload("\(base)/yard/snapshot")
        #expect(snapshot.count > 100 && snapshot.prefix(2) == [0xFF, 0xD8] && snapshot.suffix(2) == [0xFF, 0xD9], "\(snapshot.count) bytes")
        #expect(try rig.indexedEvents().count == indexed.count)
        #expect(try EventIndex(path: StorageLayout(root: rig.storage.path).indexPath, readOnly: true).outboxCount() == 0)
    }

    @Test func aBrokerOutageMidRecordingLosesNoEvent() async throws {
        let broker = try MosquittoBroker(persistence: true)
        let rig = try MQTTRig(port: broker.port, speed: 30)
        defer { rig.storage.remove() }
        let consumer = try MosquittoSubscriber(
            broker: broker, topics: ["vigil/testnode/events"], format: "%p", clientID: "consumer", persistent: true)
        let node = try rig.makeNode()
        _ = try await rig.record(node, for: .seconds(360)) { node in
            try await waitUntil("the first event", within: .seconds(30)) { !decodeEvents(consumer.lines).isEmpty }
            try await offPool { broker.stop(signal: SIGTERM) }
            // Events happen while the broker is away: the PIR fires about every 45 s of node time.
            let before = node.status.cameras.first?.lastEvent?.id ?? 0
            try await waitUntil("an event while the broker is away", within: .seconds(30)) {
                (node.status.cameras.first?.lastEvent?.id ?? 0) > before
            }
            try await offPool { try broker.start() }
        }
        let indexed = try rig.indexedEvents()
        #expect(indexed.count >= 5)
        try consumer.wait("every event's new and end", within: .seconds(20)) { lines in
            let seen = Set(decodeEvents(lines).map { "\($0.type.rawValue) \($0.after.id)" })
            return indexed.allSatisfy { seen.contains("new testnode-\($0.id)") && seen.contains("end testnode-\($0.id)") }
        }
        let messages = decodeEvents(consumer.lines).map { "\($0.type.rawValue) \($0.after.id) \($0.after.frames)" }
        let distinct = Set(messages)
        // QoS 1 may repeat a message whose acknowledgement was lost: the id shows it.
        Swift.print("broker outage: \(indexed.count) events, \(messages.count) messages, \(messages.count - distinct.count) repeated")
        #expect(messages.count - distinct.count <= 2)
        // In order: each event's new comes before its end.
        for event in indexed {
            let new = messages.firstIndex { $0.hasPrefix("new testnode-\(event.id) ") }
            let end = messages.firstIndex { $0.hasPrefix("end testnode-\(event.id) ") }
            #expect(new != nil && end != nil && new! < end!)
        }
        #expect(try EventIndex(path: StorageLayout(root: rig.storage.path).indexPath, readOnly: true).outboxCount() == 0)
    }

    @Test func aWrongPasswordIsAClearErrorAndRecordingGoesOn() async throws {
        let scratch = try TemporaryDirectory("mqtt-passwd")
        defer { scratch.remove() }
        let passwords = scratch.file("passwd")
        let made = try Tool.run("/usr/bin/mosquitto_passwd", ["-b", "-c", passwords, "vigil", "right"])
        try #require(made.status == 0, "mosquitto_passwd: \(made.error)")
        let broker = try MosquittoBroker(extra: ["allow_anonymous false", "password_file \(passwords)"])
        var rig = try MQTTRig(port: broker.port)
        defer { rig.storage.remove() }
        try "wrong\n".write(toFile: scratch.file("password"), atomically: true, encoding: .utf8)
        rig.configuration.mqtt?.username = "vigil"
        rig.configuration.mqtt?.passwordFile = scratch.file("password")
        let node = try rig.makeNode()
        let logs = rig.logs
        _ = try await rig.record(node, for: .seconds(100)) { _ in
            try await waitUntil("the refusal in the log", within: .seconds(20)) { logs.all.contains { $0.contains("refused") } }
        }
        let refusal = try #require(rig.logs.all.first { $0.contains("refused") })
        #expect(refusal.hasPrefix("error:") && refusal.contains("not authorised") && refusal.contains("password"))
        #expect(rig.logs.all.contains { $0.hasPrefix("warning:") && $0.contains("can be read by every user (mode 644)") }, "the file is 0644")
        #expect(try rig.indexedEvents().count >= 1, "recording went on")
        // The events wait in the outbox for a broker that takes the password.
        #expect(try EventIndex(path: StorageLayout(root: rig.storage.path).indexPath, readOnly: true).outboxCount() >= 2)
    }

    @Test func connectsOverTLSWithTheBrokersCertificate() async throws {
        let scratch = try TemporaryDirectory("mqtt-tls")
        defer { scratch.remove() }
        let key = scratch.file("key.pem"), certificate = scratch.file("cert.pem")
        let made = try Tool.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        try #require(made.status == 0, "openssl: \(made.error)")
        let broker = try MosquittoBroker(extra: ["certfile \(certificate)", "keyfile \(key)"])
        var rig = try MQTTRig(port: broker.port)
        defer { rig.storage.remove() }
        rig.configuration.mqtt?.broker = "localhost"
        rig.configuration.mqtt?.caFile = certificate
        rig.configuration.mqtt?.tls = true
        let consumer = try MosquittoSubscriber(
            broker: broker, topics: ["vigil/testnode/events"], format: "%p", extra: ["--cafile", certificate, "-h", "localhost"])
        let node = try rig.makeNode()
        _ = try await rig.record(node, for: .seconds(60))
        let indexed = try rig.indexedEvents()
        #expect(!indexed.isEmpty)
        try consumer.wait("the events over TLS") { lines in
            Set(decodeEvents(lines).filter { $0.type == .end }.map(\.after.eventID)) == Set(indexed.map(\.id))
        }
        #expect(broker.log.contains("vigil-testnode"))
    }
}
