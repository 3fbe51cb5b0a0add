import Foundation
import HALSimulation
import Node
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension HTTPSuites {
    /// Whatever bytes a client on the network sends, the server answers with a status or closes
    /// the connection, never with an internal error, never with a file outside the storage, and
    /// goes on serving while the node goes on recording. Seeded: the same requests every run.
    struct HostileRequestsTests {
        @Test func mangledRequestsGetClearAnswersAndTheNodeRecordsOn() async throws {
            let rig = try await HTTPRig.start()
            let framesBefore = rig.node.status.cameras[0].frames
            let port = rig.port
            let requests = HostileRequests.make(seed: 20_261_205, count: 400)
            // Eight clients at once, each on a thread of its own (a cut request may wait out its timeout).
            let answers = try await withThrowingTaskGroup(of: (Int, [HostileRequests.Answer]).self) { group in
                for client in 0..<8 {
                    let mine = Array(stride(from: client, to: requests.count, by: 8))
                    group.addTask {
                        (client, try await onThreadOfItsOwn { try mine.map { try HostileRequests.exchange(requests[$0], port: port) } })
                    }
                }
                var answers = [HostileRequests.Answer](repeating: .init(status: nil), count: requests.count)
                for try await (client, theirs) in group {
                    for (offset, answer) in theirs.enumerated() { answers[client + 8 * offset] = answer }
                }
                return answers
            }
            var byStatus: [Int: Int] = [:]
            for (request, answer) in zip(requests, answers) {
                if let status = answer.status {
                    byStatus[status, default: 0] += 1
                    #expect(status < 500 || status == 503, "\(status) for \(request.summary)")
                    if request.traversal { #expect(status >= 400, "\(status) for \(request.summary)") }
                }
            }
            let answered = answers.filter { $0.status != nil }.count
            print("hostile HTTP requests: \(requests.count) sent, \(answered) answered, by status \(byStatus.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")), \(requests.count - answered) closed unanswered")
            #expect(answered > requests.count / 2, "only \(answered) of \(requests.count) answered: \(byStatus)")
            #expect(byStatus[200, default: 0] > 0 && byStatus.keys.contains { (400..<500).contains($0) }, "\(byStatus)")

            #expect(try await Curl.request(rig.base + "/api/v1/status").status == 200)
            try await waitUntil("frames after the requests", within: .seconds(60), every: .milliseconds(100)) {
                rig.node.status.cameras[0].frames > framesBefore
            }
            await rig.stop()
        }
    }
}

/// Requests made from valid ones by seeded damage, and a raw socket client that sends them.
enum HostileRequests {
    struct Request: Sendable {
        var bytes: [UInt8]
        /// Whether the request tries to reach a file by `..` or an encoded one.
        var traversal: Bool
        /// Whether the client closes its side after sending (a cut request gets no more).
        var halfClose: Bool
        var summary: String { String(decoding: bytes.prefix(80), as: UTF8.self).debugDescription }
    }

    struct Answer: Sendable {
        /// The status line's code; nil when the server closed without answering.
        var status: Int?
    }

    static let valid = [
        "GET /api/v1/status HTTP/1.1\r\nHost: node\r\n\r\n",
        "GET /api/v1/events?since=2h&limit=5&camera=yard HTTP/1.1\r\nHost: node\r\n\r\n",
        "GET /api/v1/events/1 HTTP/1.1\r\nHost: node\r\n\r\n",
        "GET /api/v1/events/1/snapshot.jpg HTTP/1.1\r\nHost: node\r\n\r\n",
        "GET /api/v1/movies/1.mkv HTTP/1.1\r\nHost: node\r\nRange: bytes=0-99\r\n\r\n",
        "GET /cameras/yard/snapshot.jpg HTTP/1.1\r\nHost: node\r\n\r\n",
        "POST /api/v1/cameras/yard/trigger HTTP/1.1\r\nHost: node\r\nContent-Length: 2\r\n\r\n5s",
        "GET /metrics HTTP/1.1\r\nHost: node\r\n\r\n",
        "HEAD / HTTP/1.1\r\nHost: node\r\n\r\n",
    ]

    static let traversals = [
        "/api/v1/movies/..%2F..%2F..%2Fetc%2Fpasswd.mkv", "/api/v1/events/1/../../../../etc/passwd",
        "/cameras/..%2f..%2fetc/snapshot.jpg", "/api/v1/movies/%2e%2e%2findex.sqlite.mkv",
        "/api/v1/movies/1.mkv%00.jpg", "/../../../../etc/passwd",
    ]

    static let oddValues = [
        "-1", "99999999999999999999999", "0x10", "1e9", "%", "%zz", "%00", "\u{FEFF}", "9999-99-99", "NaN", "",
        String(repeating: "9", count: 4000), "2h%0d%0aSet-Cookie:%20x", "yesterday", "../index.sqlite",
    ]

    static let oddHeaders = [
        "Range: bytes=-0", "Range: bytes=5-1", "Range: bytes=99999999999999999999-", "Range: bytes=0-0,1-1,2-2",
        "Range: items=0-1", "Content-Length: -1", "Content-Length: 99999999999999999999", "Content-Length: 5\r\nContent-Length: 6",
        "Transfer-Encoding: chunked", "Authorization: Basic %%%", "Authorization: Basic " + String(repeating: "QUFB", count: 3000),
        "Authorization: Bearer", "If-Range: \"x", "Host:", "Expect: 100-continue", "X: " + String(repeating: "x", count: 100_000),
    ]

    static func make(seed: UInt64, count: Int) -> [Request] {
        var random = SeededRandom(seed: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        return (0..<count).map { number in
            var text = pick(valid)
            var traversal = false
            var halfClose = false
            switch number % 8 {
            case 0:
                text = "GET \(pick(traversals)) HTTP/1.1\r\nHost: node\r\n\r\n"
                traversal = true
            case 1:
                let parameter = pick(["since", "before", "limit", "camera"])
                text = "GET /api/v1/events?\(parameter)=\(pick(oddValues)) HTTP/1.1\r\nHost: node\r\n\r\n"
            case 2:
                text = "GET /api/v1/events/\(pick(oddValues))/snapshot.jpg HTTP/1.1\r\nHost: node\r\n\r\n"
            case 3:
                text = text.replacingOccurrences(of: "Host: node\r\n", with: "Host: node\r\n\(pick(oddHeaders))\r\n")
            case 4:
                text = pick(["PUT", "DELETE", "G\u{0}T", "CONNECT", "TRACE", "get", String(repeating: "A", count: 9000)])
                    + String(text.drop { $0 != " " })
            default:
                break
            }
            var bytes = Array(text.utf8)
            if number % 8 >= 5 {
                // Bytes flipped, bytes put in, or the request cut short.
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    let at = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 3 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                    case 1: bytes.insert(contentsOf: (0..<Int(random.next() % 8)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
                    default:
                        bytes = Array(bytes.prefix(at))
                        halfClose = true
                    }
                    if bytes.isEmpty { break }
                }
            }
            if bytes.isEmpty { bytes = [0] }
            return Request(bytes: bytes, traversal: traversal, halfClose: halfClose)
        }
    }

    /// Sends one request on a connection of its own and reads the status line, waiting at most
    /// three seconds for it (a request cut short is answered by the idle timeout, or not at all).
    static func exchange(_ request: Request, port: Int) throws -> Answer {
        let descriptor = try connectToLoopback(port: port, receiveTimeout: 3)
        defer { close(descriptor) }
        // The server may close early (a header too long): what it says before that still counts.
        _ = request.bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if request.halfClose { shutdown(descriptor, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 64, !received.contains(UInt8(ascii: "\n")) {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer.prefix(count)
        }
        let line = String(decoding: received.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return Answer(status: nil) }
        return Answer(status: status)
    }
}
