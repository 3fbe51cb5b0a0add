import BoardSupport
import CameraDrivers
import HAL
import HALLinux
import JPEG
import Testing

extension HardwareInTheLoop {
    /// The camera's serial port and the VC0706 on it, on the chosen target (VIGIL_HIL). On the
    /// virtual board that is libserialport on the guest's 16550 UART, wired to the emulator on the
    /// host.
    @Suite("Camera")
    struct CameraTests {
        @Test("Requests and replies pass the camera's port unchanged, XON (0x11) and XOFF (0x13) included",
              .needs(HIL.cameraUnavailable))
        func serialRoundTrip() async throws {
            let target = try HIL.target()
            let camera = try #require(target.camera.value)
            try await target.run {
                try await target.withCameraPort(camera.serialConfiguration) { port in
                    if !(target is SimulatedTarget) {
                        #expect(
                            (port as? LinuxSerialPort)?.driver == .libserialport,
                            "\(camera.device) is a UART: libserialport should drive it, not \(type(of: port))")
                    }
                    #expect(port.configuration == camera.serialConfiguration)
                    try await port.flush(.both)

                    // GET_VERSION: command byte 0x11 both ways.
                    let version = try await exchange(port, [0x56, 0x00, 0x11, 0x00])
                    #expect(version.header == [0x76, 0x00, 0x11, 0x00])
                    #expect(String(decoding: version.data, as: UTF8.self).hasPrefix("VC07"), "version \(version.data)")

                    // The compression register: written as 0x13, read back, restored.
                    let read: [UInt8] = [0x56, 0x00, 0x30, 0x04, 0x01, 0x01, 0x12, 0x04]
                    let original = try await exchange(port, read)
                    #expect(original.header == [0x76, 0x00, 0x30, 0x00])
                    let saved = try #require(original.data.first, "READ_DATA answered no byte")
                    for value: UInt8 in [0x13, 0x11, saved] {
                        let written = try await exchange(port, [0x56, 0x00, 0x31, 0x05, 0x01, 0x01, 0x12, 0x04, value])
                        #expect(written.header == [0x76, 0x00, 0x31, 0x00] && written.data.isEmpty, "WRITE_DATA \(value)")
                        let readBack = try await exchange(port, read)
                        #expect(readBack.data.first == value, "the register reads back \(readBack.data), not \(value)")
                    }
                }
            }
        }

        @Test("A VC0706 snapshot over the camera's port: connect, capture, a JPEG that decodes",
              .needs(HIL.cameraUnavailable))
        func vc0706Snapshot() async throws {
            let target = try HIL.target()
            let camera = try #require(target.camera.value)
            try await target.run {
                try await target.withCameraPort(camera.serialConfiguration) { port in
                    let driver = makeVC0706(port)
                    let info = try await driver.connect()
                    #expect(info.model == "vc0706")
                    #expect(info.version.hasPrefix("VC07"))
                    #expect(info.baud == port.configuration.baudRate, "driver and port agree on the baud")
                    if !(target.name.hasPrefix("board")) {
                        // The driver moved the camera to 115200: on the virtual board that change
                        // crossed the guest's UART, QEMU and the pty to the emulator, as on a wire.
                        #expect(info.baud == 115200)
                    }
                    let frame = try await driver.snapshot(progress: nil)
                    #expect(frame.jpeg.starts(with: [0xFF, 0xD8]), "the frame starts with FF D8")
                    #expect(frame.jpeg.suffix(2) == [0xFF, 0xD9], "the frame ends with FF D9")
                    let image = try JPEGCodec().decode(frame.jpeg)
                    #expect(image.width == info.width && image.height == info.height, "\(image.width)x\(image.height) vs \(info)")

                    // Leave the camera as found: reset, which also takes it back to the board's baud.
                    try await resetVC0706(port)
                    #expect(port.configuration.baudRate == camera.baud)
                }
            }
        }
    }
}

/// A VC0706 driver on `port` (opening the existential so the driver owns a concrete port).
func makeVC0706<Port: SerialPort>(_ port: Port) -> any Camera {
    VC0706Camera(port: port)
}

/// Resets the camera on `port`, which takes it (and the port) back to 38400, and stays there.
func resetVC0706<Port: SerialPort>(_ port: Port) async throws {
    var options = VC0706Camera<Port>.Options()
    options.preferredBauds = []
    try await VC0706Camera(port: port, options: options).resetCamera()
}

/// Sends one VC0706 request and reads its reply: the four header bytes (0x76, serial, command,
/// status) and the data the length byte announces.
///
/// A VC0706 drops a request whose bytes come more than 20 ms apart, and a machine as loaded as
/// a 2-core CI runner emulating a whole PC can stall its guest that long; like any careful host,
/// the exchange then sends the request again (at most three times in all).
func exchange(_ port: some SerialPort, _ request: [UInt8]) async throws -> (header: [UInt8], data: [UInt8]) {
    var received: [UInt8] = []
    for _ in 0..<3 {
        try await port.write(request)
        try await port.drain()
        let deadline = port.clock.now.advanced(by: .seconds(1))
        let header = try await port.read(exactly: 5, deadline: deadline)
        received = header
        guard header.count == 5 else {
            try await port.drainInput(quiet: .milliseconds(100))
            continue
        }
        let data = try await port.read(exactly: Int(header[4]), deadline: deadline)
        try #require(data.count == Int(header[4]), "the reply to \(request) stopped after \(header + data)")
        return (Array(header.prefix(4)), data)
    }
    throw ExchangeFailed(request: request, received: received)
}

/// A VC0706 request went unanswered.
struct ExchangeFailed: Error, CustomStringConvertible {
    var request: [UInt8]
    var received: [UInt8]
    var description: String { "the camera answered \(received) to \(request), sent three times, each given 1 s" }
}
