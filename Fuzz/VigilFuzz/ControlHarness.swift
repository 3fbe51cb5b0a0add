import Foundation
@testable import Node

/// A control-socket request line, decoded as ControlServer does; whatever decodes must
/// encode and decode again to itself.
enum ControlHarness {
    static func request(_ bytes: [UInt8]) {
        let request: ControlRequest
        do {
            request = try ControlResponse.decoder.decode(ControlRequest.self, from: Data(bytes))
        } catch {
            _ = "bad request: \(error)"
            return
        }
        do {
            let again = try ControlResponse.decoder.decode(ControlRequest.self, from: ControlResponse.encoder.encode(request))
            require(again == request, "\(request) does not survive encoding")
        } catch {
            require(false, "\(request) does not encode: \(error)")
        }
    }
}
