import HAL

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

    /// Throws away what has arrived and whatever keeps arriving until the line has been quiet
    /// for `quiet` (the rest of a reply cut short, replies to requests given up on), or until
    /// `limit` bytes are gone with the line still busy. Returns how many bytes went.
    @discardableResult
    func discardInput(quiet: Duration, limit: Int = .max) async throws(CameraError) -> Int {
        do {
            try await flush(.input)
            return try await drainInput(quiet: quiet, limit: limit)
        } catch { throw CameraError(error) }
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
