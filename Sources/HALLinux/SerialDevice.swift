import Glibc
import HAL
import SystemCalls

/// One open serial device, driven without ever blocking for long.
///
/// A device is owned by a ``LinuxSerialPort``, which calls it only with its lock held and
/// never after ``close()``. Errors name the call that failed and ``path``.
protocol SerialDevice {
    /// The path the device was opened with.
    var path: String { get }
    /// The descriptor to poll for input and for room to write.
    var descriptor: Int32 { get }

    /// Reads bytes waiting to be read into `buffer` (as many as it holds at most); returns
    /// how many (0 if there are none).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(HALError) -> Int
    /// Queues as many of `bytes` as there is room for; returns how many (0 if none).
    func write(someOf bytes: ArraySlice<UInt8>) throws(HALError) -> Int
    /// How many written bytes are still queued for the wire.
    func outputQueueCount() throws(HALError) -> Int
    /// Waits for the last queued character to leave the wire. Called only once
    /// ``outputQueueCount()`` is 0, so it blocks for at most a character time.
    func waitUntilTransmitted() throws(HALError)
    /// Discards received or queued bytes.
    func discard(_ queues: SerialQueues) throws(HALError)
    /// Applies `configuration`: speed, framing, flow control, raw mode.
    func apply(_ configuration: SerialConfiguration) throws(HALError)
    /// Releases the device.
    func close()
}

extension SerialDevice {
    /// Appends the bytes waiting to be read, at most `maxCount`, to `bytes`; returns how many
    /// (0 if there are none). They pass through a buffer on the stack (one `read` a chunk of
    /// ``readChunk`` bytes), so that a read does not allocate room for all it may take.
    func readAvailable(upTo maxCount: Int, appendingTo bytes: inout [UInt8]) throws(HALError) -> Int {
        var total = 0
        while total < maxCount {
            // The failure is carried out of the closure: Swift 6.2's withUnsafeTemporaryAllocation
            // rethrows it as `any Error`.
            var failure: HALError?
            let count = withUnsafeTemporaryAllocation(byteCount: Self.readChunk, alignment: 1) { buffer -> Int in
                let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(maxCount - total))
                do throws(HALError) {
                    let count = try read(into: chunk)
                    bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk.prefix(count)))
                    return count
                } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw failure }
            total += count
            // A chunk not filled took all there was.
            if count < Self.readChunk { break }
        }
        return total
    }

    /// The most bytes one `read` takes (a tty's input buffer holds 4 KB).
    static var readChunk: Int { 4096 }

    /// Takes an advisory exclusive lock on the device, as other serial programs that honour
    /// `flock` do, so that two drivers never share a port. Throws ``HALError/Kind/busy`` if
    /// someone else holds it.
    func lockExclusively() throws(HALError) {
        do {
            try systemCall("flock", target: path) { flock(descriptor, LOCK_EX | LOCK_NB) }
        } catch where error.errno == EWOULDBLOCK {
            throw HALError(
                .busy, operation: "flock", target: path, errno: EWOULDBLOCK,
                message: "another program has the port open")
        }
    }

    /// Sets `termios` on the device after `adjust` has changed what `tcgetattr` read.
    func updateTermios(_ adjust: (inout termios) throws(HALError) -> Void) throws(HALError) {
        var settings = termios()
        try systemCall("tcgetattr", target: path) { tcgetattr(descriptor, &settings) }
        try adjust(&settings)
        try systemCall("tcsetattr", target: path) { tcsetattr(descriptor, TCSANOW, &settings) }
    }
}
