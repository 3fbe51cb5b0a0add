import Foundation
import Hummingbird
import HummingbirdBcrypt
import Node
import Synchronization

/// Checks a request's credentials against the configuration's bcrypt hashes: HTTP basic
/// (`Authorization: Basic`), a bearer token (`Authorization: Bearer`), or for clients that
/// cannot send headers (an `<img>`, a camera integration) the token as `?token=`.
///
/// bcrypt is slow on purpose (tens of milliseconds a check), so credentials that passed are
/// remembered in memory (at most ``cacheLimit``) and later requests with them pass at once.
final class Authenticator: Sendable {
    static let cacheLimit = 64
    let users: [String: String]
    let tokenHashes: [String]
    private let verified = Mutex<Set<String>>([])

    init(_ settings: NodeConfiguration.HTTP) {
        users = Dictionary(settings.users.map { ($0.name, $0.passwordHash) }, uniquingKeysWith: { first, _ in first })
        tokenHashes = settings.tokenHashes
    }

    var enabled: Bool { !users.isEmpty || !tokenHashes.isEmpty }

    /// Passes, or throws a 401 saying what was wrong (never which part of a credential).
    func check(_ request: Request) throws {
        guard enabled else { return }
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { throw Self.refusal("the Authorization header is malformed") }
            let scheme = parts[0].lowercased()
            let value = String(parts[1]).trimmingCharacters(in: .whitespaces)
            if scheme == "bearer" {
                if token(value) { return }
                throw Self.refusal("wrong token")
            }
            if scheme == "basic" {
                guard let decoded = Data(base64Encoded: value).flatMap({ String(data: $0, encoding: .utf8) }),
                      let colon = decoded.firstIndex(of: ":")
                else { throw Self.refusal("the basic credentials are malformed") }
                if user(String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...])) { return }
                throw Self.refusal("wrong user name or password")
            }
            throw Self.refusal("unsupported authorization scheme '\(parts[0])' (use Basic or Bearer)")
        }
        if let value = request.uri.queryParameters.get("token") {
            if token(value) { return }
            throw Self.refusal("wrong token")
        }
        throw Self.refusal("authentication required: HTTP basic, a bearer token, or ?token=")
    }

    private func token(_ token: String) -> Bool {
        guard !token.isEmpty, token.utf8.count <= 256 else { return false }
        return remembered("t:" + token) { tokenHashes.contains { Bcrypt.verify(token, hash: $0) } }
    }

    private func user(_ name: String, password: String) -> Bool {
        guard let hash = users[name], password.utf8.count <= 256 else { return false }
        return remembered("u:" + name + ":" + password) { Bcrypt.verify(password, hash: hash) }
    }

    private func remembered(_ key: String, verify: () -> Bool) -> Bool {
        if verified.withLock({ $0.contains(key) }) { return true }
        guard verify() else { return false }
        verified.withLock { set in
            if set.count >= Self.cacheLimit { set.removeAll() }
            set.insert(key)
        }
        return true
    }

    static func refusal(_ message: String) -> APIError {
        APIError(.unauthorized, "unauthorized", message, headers: [.wwwAuthenticate: "Basic realm=\"vigil\", charset=\"UTF-8\""])
    }

    /// A bcrypt hash of `secret` at `cost` (`vigil http hash-password`).
    static func hash(_ secret: String, cost: UInt8 = 12) -> String { Bcrypt.hash(secret, cost: cost) }
}

/// Applies the ``Authenticator`` to every route.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try authenticator.check(request)
        return try await next(request, context)
    }
}
