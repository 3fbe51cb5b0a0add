import HAL
import Scenes
import Synchronization

/// Digests (64-bit FNV-1a) of the frames a simulated camera served, so that frames read back
/// from movies can be checked against them. Memory stays bounded: the digests live in two
/// generations of at most ``generationSize`` each; a frame is looked up long before its
/// generation is dropped (a movie is checked as soon as it is finished).
public final class FrameLedger: Sendable {
    /// Digests per generation.
    public let generationSize: Int
    private struct State {
        var current = Set<UInt64>()
        var previous = Set<UInt64>()
        var served = 0
    }
    private let state = Mutex(State())

    /// Both generations are allocated at their full size here, so that the ledger's memory is
    /// flat from the start and a soak's resident-set check sees the node's own growth only.
    public init(generationSize: Int = 50_000) {
        self.generationSize = max(1, generationSize)
        state.withLock { state in
            state.current.reserveCapacity(self.generationSize)
            state.previous.reserveCapacity(self.generationSize)
        }
    }

    /// Notes a served frame.
    public func record(_ jpeg: [UInt8]) {
        let digest = Self.digest(jpeg)
        state.withLock { state in
            state.served += 1
            if state.current.insert(digest).inserted, state.current.count >= generationSize {
                swap(&state.previous, &state.current)
                state.current.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Whether `jpeg` is, byte for byte (as far as a 64-bit digest tells), a frame served recently.
    public func contains(_ jpeg: [UInt8]) -> Bool {
        let digest = Self.digest(jpeg)
        return state.withLock { $0.current.contains(digest) || $0.previous.contains(digest) }
    }

    /// Frames recorded so far.
    public var served: Int { state.withLock { $0.served } }

    static func digest(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// A scene that notes every frame it renders in a ``FrameLedger``: what an emulated camera
/// serves is the scene's JPEG, byte for byte.
public struct LedgerScene: Scene {
    public let base: any Scene
    public let ledger: FrameLedger

    public init(_ base: any Scene, ledger: FrameLedger) {
        self.base = base
        self.ledger = ledger
    }

    public var name: String { base.name }
    public var frameRate: Double { base.frameRate }

    public func frame(at time: MonotonicInstant, width: Int, height: Int, quality: Int) throws -> SceneFrame {
        let frame = try base.frame(at: time, width: width, height: height, quality: quality)
        ledger.record(frame.jpeg)
        return frame
    }

    public func objects(at time: MonotonicInstant) -> [SceneObject] { base.objects(at: time) }
    public func isDark(at time: MonotonicInstant) -> Bool { base.isDark(at: time) }
}
