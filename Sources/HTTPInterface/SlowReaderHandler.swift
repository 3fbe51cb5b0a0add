import HAL
import NIOCore

/// Closes a connection whose peer stops reading: when the channel stays unwritable (its
/// outbound buffer full, the client not taking bytes) for longer than `timeout` at a stretch. A
/// live viewer that stalls thus gives its place back instead of holding it forever.
final class SlowReaderHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let timeout: Duration
    /// Counts writability changes, so that a check scheduled for an earlier stretch does nothing.
    private var stretch = 0

    init(timeout: Duration) { self.timeout = timeout }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        stretch &+= 1
        let channel = context.channel
        if !channel.isWritable {
            let stretch = stretch
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
                if handler.value.stretch == stretch, channel.isActive, !channel.isWritable { channel.close(promise: nil) }
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}
