import HAL
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose next request does not arrive whole in time: from the moment the
/// server waits for a request (the connection opened, or the last response ended), the request's
/// head and body must be in within `timeout`, however the client spreads its bytes; a byte every
/// few seconds (slowloris) does not extend it, nor does a body sent a byte at a time. While a
/// response is under way the clock stands still: a long download or a live stream is watched
/// by ``SlowReaderHandler`` instead.
///
/// Hummingbird's idle timeout stays beside it, but that one starts again with every part of a
/// request, so a body sent a byte at a time never lets it fire; this one does not.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: Duration
    /// Requests whose head came in and whose response has not ended yet.
    private var unanswered = 0
    /// The close the clock will do, while it runs.
    private var deadline: Scheduled<Void>?

    init(timeout: Duration) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { restartClock(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { stopClock() }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil { restartClock(context: context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClock()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            // A request that follows one still being answered is timed from its head.
            if deadline == nil { restartClock(context: context) }
        case .body:
            break
        case .end:
            // The request is in; its response's end starts the wait for the next one.
            if unanswered > 0 { stopClock() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), unanswered > 0 {
            unanswered -= 1
            // The server now waits for the next request (or for the rest of one it answered early).
            if unanswered == 0 { restartClock(context: context) }
        }
        context.write(data, promise: promise)
    }

    private func restartClock(context: ChannelHandlerContext) {
        stopClock()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) { channel.close(promise: nil) }
    }

    private func stopClock() {
        deadline?.cancel()
        deadline = nil
    }
}
