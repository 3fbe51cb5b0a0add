import CameraDrivers
import Hummingbird
import NIOCore
import Node

/// Live MJPEG: `multipart/x-mixed-replace; boundary=frame`, each part
/// `--frame\r\nContent-Type: image/jpeg\r\nContent-Length: N\r\n\r\n<jpeg>\r\n`, written as the
/// camera delivers frames (the form browsers, Home Assistant's `mjpeg` camera, go2rtc and
/// ffmpeg's `mpjpeg` demuxer read).
///
/// Each viewer is one more subscriber of the node's frame fan-out with a buffer of two frames:
/// a viewer that reads slowly skips frames, the recording never waits for it. The stream ends
/// when the node stops; a viewer that leaves ends its subscription.
enum MJPEGStream {
    static let boundary = "frame"
    static let contentType = "multipart/x-mixed-replace; boundary=\(boundary)"

    /// One part's bytes: the boundary line, headers, the JPEG, CRLF.
    static func part(_ jpeg: [UInt8]) -> ByteBuffer {
        let head = "--\(boundary)\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\r\n"
        var buffer = ByteBuffer()
        buffer.reserveCapacity(head.utf8.count + jpeg.count + 2)
        buffer.writeString(head)
        buffer.writeBytes(jpeg)
        buffer.writeString("\r\n")
        return buffer
    }

    static func response(frames: Subscription<CapturedFrame>, onEnd: @escaping @Sendable () -> Void) -> Response {
        let body = ResponseBody { writer in
            defer { onEnd() }
            for await frame in frames {
                try await writer.write(part(frame.jpeg))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: contentType, .cacheControl: "no-store, no-cache, must-revalidate", .init("Pragma")!: "no-cache",
                .connection: "close",
            ],
            body: body)
    }
}
