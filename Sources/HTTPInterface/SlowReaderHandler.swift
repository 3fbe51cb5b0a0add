import HAL
import NIOCore

/// Closes a connection whose peer stops reading: when the channel stays unwritable (its
/// outbound buffer full, the client not taking bytes) for longer than `timeout`. A live viewer
/// that stalls thus gives its place back instead of holding it forever.
final class SlowReaderHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny
    let timeout: Duration

    init(timeout: Duration) { self.timeout = timeout }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let channel = context.channel
        if channel.isWritable {
            context.fireChannelWritabilityChanged()
            return
        }
        let delay = TimeAmount.nanoseconds(timeout.nanoseconds)
        context.eventLoop.scheduleTask(in: delay) {
            if channel.isActive, !channel.isWritable { channel.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}
