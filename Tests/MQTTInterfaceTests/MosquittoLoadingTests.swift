import Foundation
import MQTTInterface
import Testing

/// libmosquitto is loaded with dlopen when the first client is made (a recorder without `mqtt:`
/// maps neither it nor OpenSSL: LibraryMappingTests); making a client must load it.
@Suite struct MosquittoLoadingTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/maps"), "needs /proc (Linux)"))
    func makingAClientLoadsLibmosquitto() throws {
        let client = try MQTTClient(MQTTConnection(host: "127.0.0.1", port: 1883, clientID: "vigil-loading-test"))
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        defer { try? handle.close() }
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        #expect(maps.contains("libmosquitto.so"), "the client works through the library dlopen loaded")
        withExtendedLifetime(client) {}
    }
}
