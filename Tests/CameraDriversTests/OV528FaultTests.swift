import CameraDrivers
import CameraProtocols
import Emulators
import Foundation
import HAL
import HALSimulation
import JPEG
import Scenes
import Testing

/// Seeded faults on the wire and in the camera, a thousand transfers at a time, on virtual time.
@Suite struct OV528FaultTests {
    struct Tally: Sendable, CustomStringConvertible {
        var good = 0, corrupt = 0, withRerequests = 0, rerequests = 0, restarted = 0, notAlone = 0
        var errors: [CameraError.Kind: Int] = [:]

        var description: String {
            "good \(good) (\(withRerequests) with \(rerequests) package re-requests, \(restarted) restarted), corrupt \(corrupt), "
                + "re-requests not alone \(notAlone), errors \(errors.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", "))"
        }
    }

    /// Transfers to run: `VIGIL_OV528_FAULT_TRANSFERS`, or 1,000.
    static var transfers: Int {
        ProcessInfo.processInfo.environment["VIGIL_OV528_FAULT_TRANSFERS"].flatMap(Int.init) ?? 1000
    }

    /// Whether the packages asked for run 0, 1, 2, ... with each repeat right after itself:
    /// a bad package asked for again alone, never the frame from its start.
    static func rerequestedAlone(_ requests: [UInt16]) -> Bool {
        requests.first.map { $0 == 0 } ?? true && zip(requests, requests.dropFirst()).allSatisfy { $1 == $0 || $1 == $0 + 1 }
    }

    /// Runs `transfers` faulty snapshots, each followed by a clean one that must succeed.
    func run(_ variant: OV528.Variant, transfers: Int, seedBase: UInt64) async throws -> Tally {
        var options = OV528Camera<SimulatedSerialPort>.Options()
        let codec = JPEGCodec()
        options.frameValidator = { (try? codec.decode($0, format: .gray, scale: .eighth)) != nil }
        options.width = 160
        options.height = variant == .ucam3 ? 128 : 120
        let bench = OV528DriverBench(variant, scene: try SceneCatalog.scene(named: "busy", seed: seedBase), options: options)
        return try await bench.run { bench in
            _ = try await bench.camera.connect()
            var tally = Tally()
            for index in 0..<transfers {
                let seed = seedBase &+ UInt64(index)
                var random = SeededRandom(seed: seed)
                bench.link.setFaults(.random(
                    seed: seed, byteSpan: 6000, direction: .both, drops: Int(random.next() % 3), bitFlipRate: 2e-6,
                    stallProbability: 0.1, stall: .seconds(2), unplugProbability: 0.03, unplugWindow: .zero ... .milliseconds(600)))
                if random.nextUnit() < 0.3 {
                    bench.emulator.corruptPackage(Int(random.next() % 6), times: 1 + Int(random.next() % 2))
                }
                let outcome: Result<CapturedFrame, CameraError>
                do throws(CameraError) { outcome = .success(try await bench.camera.snapshot()) } catch { outcome = .failure(error) }
                bench.link.setFaults(.none)
                switch outcome {
                case .success(let frame):
                    if frame.jpeg == bench.emulator.lastServedFrame?.jpeg { tally.good += 1 } else { tally.corrupt += 1 }
                    let requests = bench.emulator.packageRequests
                    let repeats = requests.count - Set(requests).count
                    if repeats > 0 {
                        tally.withRerequests += 1
                        tally.rerequests += repeats
                    }
                    if frame.retries > repeats { tally.restarted += 1 }
                    if !Self.rerequestedAlone(requests) { tally.notAlone += 1 }
                case .failure(let error):
                    tally.errors[error.kind, default: 0] += 1
                }
                bench.emulator.corruptPackage(0, times: 0)  // none left for the clean snapshot
                // The next snapshot succeeds without restarting anything.
                let clean = try await bench.camera.snapshot()
                #expect(clean.jpeg == bench.emulator.lastServedFrame?.jpeg, "clean snapshot after transfer \(index)")
            }
            return tally
        }
    }

    @Test(arguments: OV528.Variant.allCases)
    func faultyTransfersGiveTheServedFrameOrATypedErrorNeverACorruptOne(variant: OV528.Variant) async throws {
        let transfers = Self.transfers
        let started = Date()
        let tally = try await run(variant, transfers: transfers, seedBase: variant == .ucam3 ? 1 : 50_000)
        print("\(variant), \(transfers) faulty transfers in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(tally)")
        #expect(tally.corrupt == 0)
        #expect(tally.notAlone == 0)
        #expect(tally.good + tally.errors.values.reduce(0, +) == transfers)
        #expect(tally.good >= transfers * 9 / 10)
        #expect(tally.withRerequests >= transfers / 5)  // the faults did hit packages
    }
}
