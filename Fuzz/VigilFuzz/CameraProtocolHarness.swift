import CameraProtocols

/// The camera links' decoders, fed the input in pieces of varying size as a UART delivers it.
/// Each must make progress on every call, and hold no more than one message's worth of bytes
/// once drained (else a noisy line would grow its buffer without bound).
enum CameraProtocolHarness {
    /// VC0706 replies as the host reads them; the second and third bytes announce READ_FBUF
    /// image data of that length (0: none).
    static func vc0706Reply(_ input: inout FuzzInput) {
        let split = input.byte()
        let imageLength = Int(input.uint16())
        let data = input.rest
        var decoder = VC0706ReplyDecoder()
        if imageLength > 0 { decoder.expectImageData(length: imageLength) }
        var imageBytes = 0
        for piece in FuzzInput.pieces(of: data, sizes: split) {
            decoder.feed(piece)
            var steps = 0
            while let output = decoder.next() {
                steps += 1
                require(steps <= data.count + 1, "VC0706ReplyDecoder.next() returned more results than bytes fed")
                switch output {
                case .imageData(let bytes):
                    require(!bytes.isEmpty, "empty image data piece")
                    imageBytes += bytes.count
                case .text(let line):
                    require(line.utf8.count <= VC0706ReplyDecoder.maximumLineLength * 3, "text line longer than the limit")
                case .reply(let reply):
                    require(reply.data.count <= 255, "reply data longer than a length byte")
                case .motionDetected:
                    break
                }
            }
            require(decoder.bufferedCount < 5 + 256, "VC0706ReplyDecoder holds \(decoder.bufferedCount) undecoded bytes")
        }
        require(imageBytes <= imageLength, "\(imageBytes) image bytes, \(imageLength) announced")
    }

    /// VC0706 requests as the camera's firmware reads them; every request decoded must encode
    /// back to itself.
    static func vc0706Request(_ input: inout FuzzInput) {
        let split = input.byte()
        let data = input.rest
        var decoder = VC0706RequestDecoder()
        for (index, piece) in FuzzInput.pieces(of: data, sizes: split).enumerated() {
            decoder.feed(piece)
            var steps = 0
            while let output = decoder.next() {
                steps += 1
                require(steps <= data.count + 1, "VC0706RequestDecoder.next() returned more results than bytes fed")
                if case .request(let request) = output {
                    var again = VC0706RequestDecoder()
                    again.feed(request.encoded)
                    require(again.next() == .request(request), "request \(request) does not survive encoding")
                }
            }
            // The firmware's inter-byte timeout, now and then.
            if split & 0x80 != 0 && index % 5 == 4 { decoder.discardPartial() }
        }
    }

    /// OV528 / uCAM-III, both ends: the camera's (messages only) when the first byte is even;
    /// the host's otherwise, expecting image packages of the size and ID the next bytes give,
    /// which are then checked with OV528Package.decode.
    static func ov528(_ input: inout FuzzInput) {
        let mode = input.byte()
        let hostSide = mode & 1 == 1
        var packageID = input.uint16()
        let packageLength = Int(input.uint16() % 1024)
        let data = input.rest
        var decoder = OV528Decoder()
        if hostSide { decoder.expectPackage(id: packageID, length: packageLength) }
        for (index, piece) in FuzzInput.pieces(of: data, sizes: mode >> 1).enumerated() {
            decoder.feed(piece)
            var steps = 0
            while let output = decoder.next() {
                steps += 1
                require(steps <= data.count + 1, "OV528Decoder.next() returned more results than bytes fed")
                switch output {
                case .message(let message):
                    require(OV528Message(bytes: message.encoded) == message, "message \(message) does not survive encoding")
                case .skipped(let count):
                    require(count > 0, "skipped an empty run")
                case .package(let bytes):
                    require(bytes.count == max(packageLength, 1), "package of \(bytes.count) bytes, \(packageLength) expected")
                    if packageLength >= OV528.packageOverhead {
                        do {
                            let package = try OV528Package.decode(bytes, id: packageID, dataSize: packageLength - OV528.packageOverhead)
                            require(package.encoded == bytes, "package \(package.id) does not survive encoding")
                        } catch {
                            _ = error.description
                        }
                    }
                    packageID &+= 1
                    decoder.expectPackage(id: packageID, length: packageLength)
                }
            }
            require(decoder.bufferedCount < max(OV528.messageLength, packageLength), "OV528Decoder holds \(decoder.bufferedCount) undecoded bytes")
            if mode & 0x80 != 0 && index % 7 == 6 { decoder.discardPartial() }
        }
    }
}
