import CameraProtocols
import HAL
import JPEG

/// Turns a scene's JPEG frame into the raw pixel formats of the OV528 family (layouts as
/// ``OV528Emulator`` describes them: rows top first, most significant bits first).
struct RawImageRenderer: Sendable {
    private let codec = JPEGCodec()

    /// The frame's pixels in `colour`; JPEG frames stay as they are.
    func render(_ jpeg: [UInt8], as colour: OV528.ColourFormat, model: String) throws(HALError) -> [UInt8] {
        guard colour != .jpeg else { return jpeg }
        let image: Image
        do {
            image = try codec.decode(jpeg, format: colour.isGrey ? .gray : .rgb)
        } catch {
            throw HALError(.io, operation: "render-raw-frame", target: model, message: "\(error)")
        }
        let pixels = image.pixels
        switch colour {
        case .grey8:
            return pixels
        case .grey4, .grey2:
            let bits = colour == .grey4 ? 4 : 2
            let perByte = 8 / bits
            return stride(from: 0, to: pixels.count, by: perByte).map { start in
                (0..<perByte).reduce(UInt8(0)) { byte, offset in
                    let value = start + offset < pixels.count ? pixels[start + offset] >> (8 - bits) : 0
                    return byte | value << (8 - bits * (offset + 1))
                }
            }
        case .colour12:
            // RGB444, two pixels in three bytes.
            let nibbles = pixels.map { $0 >> 4 }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(pixels.count / 2)
            for start in stride(from: 0, to: nibbles.count, by: 6) {
                let n = (0..<6).map { start + $0 < nibbles.count ? nibbles[start + $0] : 0 }
                bytes += [n[0] << 4 | n[1], n[2] << 4 | n[3], n[4] << 4 | n[5]]
            }
            return bytes
        case .colour16:
            // RGB565, high byte first.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(pixels.count / 3 * 2)
            for start in stride(from: 0, to: pixels.count, by: 3) {
                let (r, g, b) = (UInt16(pixels[start]), UInt16(pixels[start + 1]), UInt16(pixels[start + 2]))
                let value = (r >> 3) << 11 | (g >> 2) << 5 | b >> 3
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        case .crYCbY:
            // Two pixels in four bytes: Cr Y0 Cb Y1 (BT.601).
            var bytes: [UInt8] = []
            bytes.reserveCapacity(pixels.count / 3 * 2)
            for start in stride(from: 0, to: pixels.count, by: 6) {
                let first = Self.yCbCr(pixels, start)
                let second = start + 3 < pixels.count ? Self.yCbCr(pixels, start + 3) : first
                bytes += [first.cr, first.y, first.cb, second.y]
            }
            return bytes
        case .jpeg:
            return jpeg
        }
    }

    private static func yCbCr(_ pixels: [UInt8], _ start: Int) -> (y: UInt8, cb: UInt8, cr: UInt8) {
        let (r, g, b) = (Double(pixels[start]), Double(pixels[start + 1]), Double(pixels[start + 2]))
        func clamp(_ value: Double) -> UInt8 { UInt8(max(0, min(255, value.rounded()))) }
        return (clamp(0.299 * r + 0.587 * g + 0.114 * b), clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b),
                clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b))
    }
}

extension OV528.ColourFormat {
    var isGrey: Bool { self == .grey2 || self == .grey4 || self == .grey8 }
}
