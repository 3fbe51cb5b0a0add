import CameraDrivers
import EventStore
import Foundation
import Node
import Recorder
import TestSupport
import Testing

/// A running node takes a new configuration: cameras added, removed or changed, the others'
/// open events untouched.
@Suite struct ReloadTests {
    @Test func camerasAreAddedChangedAndRemovedWithoutTouchingTheOthersOpenEvents() async throws {
        var rig = try SimulatedNodeRig(extraSimulatedCameras: 2)
        defer { rig.storage.remove() }
        rig.configuration.triggers.pir = false
        var gate = rig.configuration.cameras[0]
        gate.name = "gate"
        gate.port = "sim:camera1"
        rig.configuration.cameras.append(gate)
        let node = try rig.makeNode()
        let events = Collector(node.events())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await node.run() }
            // However this ends, the node stops (else the group would wait for it forever).
            defer { node.stop() }
            let watch = node.events()
            for await _ in try node.frames(camera: "gate") { break }
            try node.trigger(camera: "gate", for: .seconds(600))
            var gateEvent: Int64?
            for await event in watch {
                if case .eventStarted(let record) = event, record.camera == "gate" {
                    gateEvent = record.id
                    break
                }
            }

            // yard at a new size, a third camera on the board's third link.
            var changed = node.configuration
            changed.cameras[0].width = 320
            changed.cameras[0].height = 240
            var street = changed.cameras[1]
            street.name = "street"
            street.port = "sim:camera2"
            changed.cameras.append(street)
            changed.retention.maxAge = .seconds(86_400)
            let report = try await node.reload(changed)
            #expect(report.restarted == ["yard"] && report.added == ["street"] && report.removed.isEmpty)
            #expect(report.atNextStart == ["retention"])
            #expect(node.cameraNames == ["yard", "gate", "street"])
            for await frame in try node.frames(camera: "yard") where frame.width == 320 { break }
            for await _ in try node.frames(camera: "street") { break }

            // A configuration that cannot be had is refused; the running one stays.
            var broken = node.configuration
            broken.cameras[2].port = "/dev/vigil-no-such-port"
            await #expect(throws: (any Error).self) { try await node.reload(broken) }
            #expect(node.cameraNames == ["yard", "gate", "street"], "street keeps its previous settings")
            for await _ in try node.frames(camera: "street", bufferSize: 1) { break }

            var smaller = node.configuration
            smaller.cameras.removeAll { $0.name == "street" }
            #expect(try await node.reload(smaller).removed == ["street"])
            #expect(throws: NodeError.self) { try node.frames(camera: "street") }
            #expect(!node.status.cameras.contains { $0.name == "street" })

            // gate's event is still open, the same one.
            let gateStatus = node.status.cameras.first { $0.name == "gate" }
            #expect(gateStatus?.currentEvent?.id == gateEvent)
            node.stop()
            try await group.waitForAll()
        }
        let seen = await events.all()
        let gateStarts = seen.filter { if case .eventStarted(let record) = $0 { record.camera == "gate" } else { false } }
        let gateEnds = seen.filter { if case .eventEnded(let record) = $0 { record.camera == "gate" } else { false } }
        #expect(gateStarts.count == 1 && gateEnds.count == 1, "gate's event went on through the reloads")
    }
}
