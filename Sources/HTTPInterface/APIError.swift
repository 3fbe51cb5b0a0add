import Foundation
import Hummingbird
import NIOCore

/// A refusal the API answers with: a status code and the JSON body
/// `{"error": "<code>", "message": "<what was wrong>"}`.
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    /// A short machine-readable code (`not-found`, `bad-parameter`, `unauthorized`...).
    let code: String
    let message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    var description: String { "\(status.code) \(code): \(message)" }

    static func badParameter(_ message: String) -> APIError { APIError(.badRequest, "bad-parameter", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not-found", message) }
    static func unavailable(_ message: String) -> APIError { APIError(.serviceUnavailable, "unavailable", message) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let body = JSONDocument.encode(["error": code, "message": message])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns every error into the API's JSON error: Hummingbird's own (an unknown route, a body
/// too large) and anything unexpected (500, logged).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let code = switch error.status {
            case .notFound: "not-found"
            case .contentTooLarge: "too-large"
            case .badRequest: "bad-request"
            case .methodNotAllowed: "method-not-allowed"
            default: "http-\(error.status.code)"
            }
            let message = error.body ?? (error.status == .notFound ? "no such route: \(request.method) \(request.uri.path)" : error.status.reasonPhrase)
            throw APIError(error.status, code, message, headers: error.headers)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "too-large", "the request body is larger than the route takes")
        } catch is CancellationError {
            throw APIError(.serviceUnavailable, "stopping", "the node is stopping")
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, "internal", "\(error)")
        }
    }
}

/// JSON as `vigil status --json` writes it: sorted keys, ISO 8601 dates, unescaped slashes.
enum JSONDocument {
    static func encode(_ value: some Encodable, pretty: Bool = true) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return Array(try encoder.encode(value)) + (pretty ? [0x0A] : [])
        } catch {
            return Array("{\"error\":\"internal\",\"message\":\"cannot encode the answer\"}".utf8)
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: encode(value))))
    }
}
