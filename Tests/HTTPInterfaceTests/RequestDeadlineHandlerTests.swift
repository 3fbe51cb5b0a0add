import Hummingbird
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import HTTPInterface

/// ``RequestDeadlineHandler`` on NIO's virtual time: a request must arrive whole within the
/// timeout counted from when the server began waiting for it; a response under way stops the clock.
struct RequestDeadlineHandlerTests {
    /// A connected channel with the handler, its clock started at time 0.
    func connected(timeout: Duration = .seconds(10)) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: RequestDeadlineHandler(timeout: timeout))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "node", path: "/api/v1/cameras/yard/trigger"))

    @Test func aConnectionThatSendsNoRequestIsClosedAtTheTimeout() throws {
        let channel = try connected()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive, "closed before the timeout")
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive, "still open after the timeout")
    }

    @Test func aRequestTrickledInPartByPartIsClosedAtTheTimeoutCountedFromTheStart() throws {
        let channel = try connected()
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        try channel.writeInbound(head)
        for _ in 0..<2 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(2))
            try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{")))
        }
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1900))
        #expect(channel.isActive, "closed before the timeout")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive, "a body part a second kept the connection open past the timeout")
    }

    @Test func aResponseUnderWayStopsTheClockAndItsEndStartsTheWaitForTheNextRequest() throws {
        let channel = try connected()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        try channel.writeInbound(head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        // A live stream: a minute of response, no request.
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive, "closed while the response was under way")
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive, "closed before the timeout after the response")
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive, "still open after being idle between requests for the timeout")
    }

    @Test func aPipelinedRequestIsTimedFromItsHeadAndOnlyTheLastResponseRestartsTheWait() throws {
        let channel = try connected()
        try channel.writeInbound(head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        // The second request's head comes while the first is answered; its body never does.
        try channel.writeInbound(head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive, "a request never finished held the connection while another was answered")

        let second = try connected()
        try second.writeInbound(head)
        try second.writeInbound(HTTPRequestPart.end(nil))
        try second.writeInbound(head)
        try second.writeInbound(HTTPRequestPart.end(nil))
        try second.writeOutbound(HTTPResponsePart.end(nil))
        second.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(second.isActive, "closed while the second response was still owed")
        try second.writeOutbound(HTTPResponsePart.end(nil))
        second.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(!second.isActive)
    }
}
