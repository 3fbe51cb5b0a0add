/// The cheap checks made on a frame before it is muxed: libavformat copies MJPEG packets
/// verbatim and would accept anything.
enum JPEGFrame {
    /// Whether `bytes` begins with SOI (FF D8) and ends with EOI (FF D9).
    static func isComplete(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8
            && bytes[bytes.count - 2] == 0xFF && bytes[bytes.count - 1] == 0xD9
    }

    /// Why `bytes` is not a whole JPEG stream of `width` by `height` pixels, or nil if it is.
    ///
    /// Walks the marker segments from SOI to the first start-of-frame header and reads the
    /// size there; does not decode the entropy-coded data.
    static func problem(_ bytes: [UInt8], width: Int, height: Int) -> String? {
        bytes.withUnsafeBytes { data -> String? in
            guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else {
                return "does not start with a JPEG SOI marker (FF D8)"
            }
            guard data[data.count - 2] == 0xFF, data[data.count - 1] == 0xD9 else {
                return "does not end with a JPEG EOI marker (FF D9): truncated?"
            }
            var index = 2
            while index + 1 < data.count {
                guard data[index] == 0xFF else { return "no marker at offset \(index)" }
                var marker = data[index + 1]
                index += 2
                while marker == 0xFF, index < data.count {  // fill bytes
                    marker = data[index]
                    index += 1
                }
                if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }  // TEM, RSTn: no length
                if marker == 0xD9 || marker == 0xDA { break }  // EOI or SOS before any SOF
                guard index + 1 < data.count else { break }
                let length = Int(data[index]) << 8 | Int(data[index + 1])
                guard length >= 2, index + length <= data.count else {
                    return "marker segment FF \(hex(marker)) at offset \(index - 2) overruns the data"
                }
                if isStartOfFrame(marker) {
                    guard length >= 7 else { return "start-of-frame segment is too short" }
                    let frameHeight = Int(data[index + 3]) << 8 | Int(data[index + 4])
                    let frameWidth = Int(data[index + 5]) << 8 | Int(data[index + 6])
                    if frameWidth != width || frameHeight != height {
                        return "is \(frameWidth)x\(frameHeight), the movie is \(width)x\(height)"
                    }
                    return nil
                }
                index += length
            }
            return "has no start-of-frame header"
        }
    }

    /// SOF0...SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    private static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
