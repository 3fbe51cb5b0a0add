import HAL

/// One read of something from a camera (a reply, a frame, a boot banner), bounded in time
/// and in bytes: see ``SerialPort/receive(_:until:)``.
struct CameraRead {
    /// A reply with whatever may come before it (stale replies, motion messages, some line
    /// noise): far more than any reply or boot banner, far less than a frame.
    static let replyBudget = 16 * 1024
    /// The most bytes a resync or power cycle throws away waiting for the line to go quiet.
    static let discardBudget = 128 * 1024

    /// The most wire time one batched read waits for (see ``SerialPort/receive(_:until:expecting:)``):
    /// each batch is a wake-up, so few of them a second (a VC0706 frame at 115200 baud is some
    /// ten), and still well within a transfer's stall timeout.
    static let batchTime = Duration.milliseconds(batchMilliseconds)
    private static let batchMilliseconds = 300
    /// The most bytes one batched read waits for, whatever the baud: well within what a
    /// tty's input buffer holds, so the sender never waits for room.
    static let batchBytes = 4096

    /// How many bytes one batched read at `configuration` may wait for (at least 1).
    static func batchLimit(_ configuration: SerialConfiguration) -> Int {
        let perBatch = configuration.baudRate / max(configuration.bitsPerCharacter, 1) * batchMilliseconds / 1000
        return max(1, min(perBatch, batchBytes))
    }

    /// What is read, for messages: "the reply to GET_VERSION", "package 7".
    var what: String { number.map { "\(subject) \($0)" } ?? subject }
    /// What is read, and its number if it has one (a package's): put together only for a
    /// message, so that a read made for each package does not format one.
    private let subject: String
    private let number: Int?
    let deadline: MonotonicInstant
    /// The time allowed, for messages.
    let allowed: Duration
    /// The most bytes the read may take.
    let budget: Int
    /// Bytes taken so far.
    private(set) var received = 0

    init(_ what: String, number: Int? = nil, clock: any HALClock, within allowed: Duration, budget: Int = replyBudget) {
        subject = what
        self.number = number
        self.allowed = allowed
        deadline = clock.now.advanced(by: allowed)
        self.budget = budget
    }

    /// Whether the deadline came while the camera was still sending (it had sent something
    /// and the read was cut off by time, not by a quiet line).
    private(set) var overrun = false

    fileprivate mutating func count(_ bytes: Int) { received += bytes }
    fileprivate mutating func reachedDeadline() { overrun = received > 0 }

    /// For a timeout message: "" after silence; after a camera that kept sending, how much it
    /// sent without finishing, in how long.
    var detail: String {
        overrun ? " (the camera kept sending: \(received) bytes in \(allowed.humanReadable) without finishing \(what))" : ""
    }
}

/// What every camera driver does with its port, failures turned into ``CameraError``.
extension SerialPort {
    func send(_ bytes: [UInt8]) async throws(CameraError) {
        do { try await write(bytes) } catch { throw CameraError(error) }
    }

    /// What has arrived by `deadline` (empty if nothing has).
    func receive(deadline: MonotonicInstant) async throws(CameraError) -> [UInt8] {
        do { return try await read(upTo: 65536, deadline: deadline) } catch { throw CameraError(error) }
    }

    /// Moves the port to `baud` once what it is sending has left; false if it was there.
    func switchBaud(to baud: Int) async throws(CameraError) -> Bool {
        var configuration = configuration
        guard configuration.baudRate != baud else { return false }
        configuration.baudRate = baud
        do {
            try await drain()
            try await reconfigure(configuration)
        } catch { throw CameraError(error) }
        return true
    }

    /// The next bytes of `read`, waiting at most until its deadline (or `until`, if earlier):
    /// empty once that has passed, which callers report as a timeout (with
    /// ``CameraRead/overrun`` saying whether the camera was still sending). Every loop that
    /// reads from a camera goes through here, so that one that never stops sending ends in a
    /// typed error instead of a hang: the deadline is checked on every pass (a port hands over
    /// what has arrived even after its deadline), and ``CameraError/Kind/busy`` is thrown once
    /// `read` has taken its byte budget.
    ///
    /// `expecting` is how many more bytes the caller knows are coming (the rest of a reply or
    /// a frame): the port may then hand them over in one batch (``SerialPort/read(atLeast:upTo:deadline:)``),
    /// at most ``CameraRead/batchTime`` of them on the wire, so that a stalled line is still
    /// noticed within that much of its quiet limit.
    func receive(_ read: inout CameraRead, until: MonotonicInstant? = nil, expecting: Int = 1) async throws(CameraError) -> [UInt8] {
        if clock.now >= read.deadline {
            read.reachedDeadline()
            return []
        }
        let (batch, most) = try batch(of: read, expecting: expecting)
        let bytes: [UInt8]
        do {
            bytes = try await self.read(atLeast: batch, upTo: most, deadline: min(until ?? read.deadline, read.deadline))
        } catch { throw CameraError(error) }
        read.count(bytes.count)
        return bytes
    }

    /// Sends `request`, then takes the first bytes of its reply as ``receive(_:until:expecting:)``
    /// does, in one port operation (``SerialPort/exchange(_:readAtLeast:upTo:deadline:)``): for
    /// requests answered in a steady rhythm, such as a frame's packages. Empty if nothing came
    /// by `read`'s deadline.
    func exchange(_ request: [UInt8], _ read: inout CameraRead, expecting: Int) async throws(CameraError) -> [UInt8] {
        let (batch, most) = try batch(of: read, expecting: expecting)
        let bytes: [UInt8]
        do {
            bytes = try await exchange(request, readAtLeast: batch, upTo: most, deadline: read.deadline)
        } catch { throw CameraError(error) }
        read.count(bytes.count)
        return bytes
    }

    /// How many bytes one batched read of `read` waits for at least and takes at most; throws
    /// ``CameraError/Kind/busy`` once `read` has taken its byte budget.
    private func batch(of read: CameraRead, expecting: Int) throws(CameraError) -> (atLeast: Int, upTo: Int) {
        let remaining = read.budget - read.received
        guard remaining > 0 else {
            throw CameraError(.busy, "the camera sent \(read.received) bytes without finishing \(read.what), more than its budget of \(read.budget)")
        }
        let most = min(remaining, 65536)
        return (min(expecting, most, CameraRead.batchLimit(configuration)), most)
    }

    /// Throws away what has arrived and whatever keeps arriving until the line has been quiet
    /// for `quiet` (the rest of a reply cut short, replies to requests given up on). A line
    /// still busy after `limit` bytes throws ``CameraError/Kind/busy`` with `busyMessage`
    /// (given how many bytes went): a camera that streams forever is not waited out.
    /// Returns how many bytes went.
    @discardableResult
    func discardInput(
        quiet: Duration, limit: Int = CameraRead.discardBudget,
        busyMessage: (Int) -> String = { "the camera keeps sending (\($0) bytes and more) and does not go quiet" }
    ) async throws(CameraError) -> Int {
        let discarded: Int
        do {
            try await flush(.input)
            discarded = try await drainInput(quiet: quiet, limit: limit)
        } catch { throw CameraError(error) }
        if discarded >= limit { throw CameraError(.busy, busyMessage(discarded)) }
        return discarded
    }

    /// Cuts the camera's power with `power`, waits `offTime`, moves the port to `baud` (where
    /// the camera comes back), forgets what arrived meanwhile, and powers it again.
    func powerCycle(_ power: @Sendable (Bool) async throws -> Void, offTime: Duration, baud: Int) async throws(CameraError) {
        do {
            try await power(false)
            try await clock.sleep(for: offTime)
        } catch let error as CameraError {
            throw error
        } catch {
            throw CameraError(.port, "could not switch the camera's power: \(error)")
        }
        _ = try await switchBaud(to: baud)
        try await discardInput(quiet: .milliseconds(50))
        do { try await power(true) } catch { throw CameraError(.port, "could not switch the camera's power: \(error)") }
    }
}

/// The checks every JPEG frame passes before a driver returns it.
enum FrameCheck {
    /// `frame` as a JPEG: `length` bytes from `FF D8` to `FF D9` (zero padding after the end,
    /// which some frame buffers add, is trimmed) that `validator`, if given, accepts.
    static func jpeg(_ frame: [UInt8], length: Int, validator: (@Sendable ([UInt8]) -> Bool)?) throws(CameraError) -> [UInt8] {
        guard frame.count == length else {
            throw CameraError(.corruptFrame, "received \(frame.count) of \(length) bytes")
        }
        guard frame.starts(with: [0xFF, 0xD8]) else { throw CameraError(.corruptFrame, "the frame does not start with FF D8") }
        var end = frame.count
        while end > 2 && frame[end - 1] == 0x00 { end -= 1 }
        guard end >= 4, frame[end - 2] == 0xFF, frame[end - 1] == 0xD9 else {
            throw CameraError(.corruptFrame, "the frame does not end with FF D9")
        }
        let jpeg = end == frame.count ? frame : Array(frame[..<end])
        if let validator, !validator(jpeg) {
            throw CameraError(.corruptFrame, "the frame does not decode")
        }
        return jpeg
    }

    /// The size in `jpeg`'s start-of-frame header (found by walking the marker segments from
    /// `FF D8`), or nil if there is none before the scan or it gives no size.
    static func dimensions(_ jpeg: [UInt8]) -> (width: Int, height: Int)? {
        var index = 2
        while index + 9 <= jpeg.count, jpeg[index] == 0xFF {
            let marker = jpeg[index + 1]
            switch marker {
            case 0xFF:
                index += 1  // a fill byte
            case 0x01, 0xD0...0xD7:
                index += 2  // no length
            case 0xD8, 0xD9, 0xDA:
                return nil  // no start-of-frame before the scan
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                let height = Int(jpeg[index + 5]) << 8 | Int(jpeg[index + 6])
                let width = Int(jpeg[index + 7]) << 8 | Int(jpeg[index + 8])
                return width > 0 && height > 0 ? (width, height) : nil
            default:
                index += 2 + (Int(jpeg[index + 2]) << 8 | Int(jpeg[index + 3]))
            }
        }
        return nil
    }
}
