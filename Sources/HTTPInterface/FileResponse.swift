import Foundation
import Hummingbird
import NIOCore

/// A file of the storage root served whole or in one byte range (`Range: bytes=a-b`, `a-`,
/// `-n`), with `Content-Length`, `Accept-Ranges`, an `ETag` (`If-None-Match` answers 304,
/// `If-Range` with another tag sends the whole file) and `Last-Modified`.
enum FileResponse {
    static let chunkSize = 64 * 1024

    /// `path` must already be known to lie in the storage root.
    static func response(path: String, contentType: String, request: Request) throws -> Response {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw APIError.notFound("the file is gone from the storage (retention may have removed it)")
        }
        guard let size = (attributes[.size] as? NSNumber)?.int64Value, size >= 0 else {
            throw APIError(.internalServerError, "internal", "cannot read the file's size")
        }
        let modified = (attributes[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
        let etag = "\"\(String(size, radix: 16))-\(String(Int64(modified.timeIntervalSince1970 * 1000), radix: 16))\""
        var headers: HTTPFields = [
            .contentType: contentType, .acceptRanges: "bytes", .eTag: etag,
            .lastModified: httpDate(modified), .cacheControl: "private, max-age=3600",
        ]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        var range: ClosedRange<Int64>? = nil
        if let header = request.headers[.range], request.headers[.ifRange].map({ $0 == etag }) ?? true {
            switch parseRange(header, size: size) {
            case .whole: break
            case .range(let r): range = r
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(size)"
                throw APIError(.rangeNotSatisfiable, "range-not-satisfiable", "the range '\(header)' lies beyond the file's \(size) bytes", headers: headers)
            }
        }
        let first = range?.lowerBound ?? 0
        let count = range.map { $0.upperBound - $0.lowerBound + 1 } ?? size
        headers[.contentLength] = String(count)
        if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)" }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw APIError.notFound("the file cannot be opened") }
        let body = ResponseBody(contentLength: Int(count)) { writer in
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(first))
            var left = count
            while left > 0 {
                let data = try handle.read(upToCount: Int(min(Int64(chunkSize), left))) ?? Data()
                guard !data.isEmpty else { break }
                left -= Int64(data.count)
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
        return Response(status: range == nil ? .ok : .partialContent, headers: headers, body: body)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    enum RangeAnswer: Equatable {
        case whole
        case range(ClosedRange<Int64>)
        case unsatisfiable
    }

    /// One `bytes=` range of a file of `size` bytes. Several ranges, other units and malformed
    /// headers get the whole file (RFC 9110 lets a server ignore Range).
    static func parseRange(_ header: String, size: Int64) -> RangeAnswer {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), !text.contains(",") else { return .whole }
        let spec = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .whole }
        let start = parts[0].isEmpty ? nil : Int64(parts[0])
        let end = parts[1].isEmpty ? nil : Int64(parts[1])
        if !parts[0].isEmpty && start == nil || !parts[1].isEmpty && end == nil { return .whole }
        switch (start, end) {
        case (nil, let suffix?):
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .range(max(0, size - suffix)...(size - 1))
        case (let start?, let end):
            guard start < size else { return .unsatisfiable }
            let last = min(end ?? (size - 1), size - 1)
            guard last >= start else { return .whole }
            return .range(start...last)
        default:
            return .whole
        }
    }
}
