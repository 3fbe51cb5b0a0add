import Foundation
import NIOCore
import NIOEmbedded
import Node
import Testing

@testable import HTTPInterface

extension HTTPSuites {
    /// Clients that hold a connection without using it: one that stops reading is dropped after the
    /// write timeout (on NIO's virtual time), one that connects and says nothing after the idle timeout.
    struct ClientTimeoutTests {
        @Test func aClientThatStopsReadingIsDroppedAfterTheWriteTimeout() throws {
            let channel = EmbeddedChannel(handler: SlowReaderHandler(timeout: .seconds(10)))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            // Its send buffer fills: the channel turns unwritable.
            channel.isWritable = false
            channel.pipeline.fireChannelWritabilityChanged()
            channel.embeddedEventLoop.advanceTime(by: .seconds(9))
            #expect(channel.isActive, "closed before the timeout")
            channel.embeddedEventLoop.advanceTime(by: .seconds(2))
            #expect(!channel.isActive, "still open after the timeout")
        }

        @Test func aClientThatCatchesUpKeepsItsConnectionAndEachStretchIsTimedOnItsOwn() throws {
            let channel = EmbeddedChannel(handler: SlowReaderHandler(timeout: .seconds(10)))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            channel.isWritable = false
            channel.pipeline.fireChannelWritabilityChanged()
            channel.embeddedEventLoop.advanceTime(by: .seconds(5))
            channel.isWritable = true
            channel.pipeline.fireChannelWritabilityChanged()
            channel.embeddedEventLoop.advanceTime(by: .seconds(20))
            #expect(channel.isActive)

            // A second stretch counts from its own start, not from the first one's.
            channel.isWritable = false
            channel.pipeline.fireChannelWritabilityChanged()
            channel.embeddedEventLoop.advanceTime(by: .seconds(2))
            channel.isWritable = true
            channel.pipeline.fireChannelWritabilityChanged()
            channel.isWritable = false
            channel.pipeline.fireChannelWritabilityChanged()
            channel.embeddedEventLoop.advanceTime(by: .seconds(9))
            #expect(channel.isActive, "closed by the first stretch's check")
            channel.embeddedEventLoop.advanceTime(by: .seconds(2))
            #expect(!channel.isActive)
        }

        @Test(.enabled(if: Curl.isAvailable, "curl is missing: run Tools/setup"))
        func aConnectionThatSaysNothingIsClosedAfterTheIdleTimeout() async throws {
            var http = NodeConfiguration.HTTP()
            http.idleTimeout = .seconds(1)
            let rig = try await HTTPRig.start(http: http)
            // curl's telnet mode opens the connection and sends nothing; the server closes it.
            let started = ContinuousClock.now
            let answer = try await Curl.request("telnet://127.0.0.1:\(rig.port)", maxTime: 15, extra: [])
            let waited = started.duration(to: .now)
            #expect(answer.curlStatus == 0, "curl: \(answer.curlStatus) after \(waited)")
            #expect(waited >= .milliseconds(900) && waited < .seconds(10), "closed after \(waited)")
            #expect(try await Curl.request(rig.base + "/api/v1/status").status == 200)
            await rig.stop()
        }
    }
}
