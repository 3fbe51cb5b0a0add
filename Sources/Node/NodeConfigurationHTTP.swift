import BoardSupport
import Foundation
import Yams

extension NodeConfiguration {
    /// The HTTP interface of `vigil record` (the `http:` section; `--http` overrides `listen`).
    public struct HTTP: Sendable, Hashable {
        /// A user of HTTP basic authentication: a name and the bcrypt hash of the password
        /// (`vigil http hash-password` makes one).
        public struct User: Sendable, Hashable {
            public var name: String
            public var passwordHash: String

            public init(name: String, passwordHash: String) {
                self.name = name
                self.passwordHash = passwordHash
            }
        }

        /// A certificate chain and its private key, both PEM files, for HTTPS.
        public struct TLS: Sendable, Hashable {
            public var certificatePath: String
            public var keyPath: String

            public init(certificatePath: String, keyPath: String) {
                self.certificatePath = certificatePath
                self.keyPath = keyPath
            }
        }

        public init() {}

        /// Serve HTTPS with this certificate and key; nil: plain HTTP.
        public var tls: TLS?
        /// Where to listen, `HOST:PORT` (`127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`); nil: off.
        public var listen: String? = "127.0.0.1:8080"
        /// Basic-auth users (bcrypt hashes of their passwords).
        public var users: [User] = []
        /// Bearer tokens, as bcrypt hashes of the token.
        public var tokenHashes: [String] = []
        /// Serve a non-loopback address without authentication (refused unless set).
        public var insecure = false
        /// Open connections at most; more wait in the listen backlog.
        public var maxConnections = 64
        /// Live MJPEG viewers at most, over all cameras; one more is answered 503.
        public var maxViewers = 20
        /// A connection idle this long (or sending its request this slowly) is closed.
        public var idleTimeout = Duration.seconds(30)
        /// A live viewer whose frame write does not finish in this time is dropped.
        public var writeTimeout = Duration.seconds(10)

        /// Whether any credentials are configured.
        public var requiresAuthentication: Bool { !users.isEmpty || !tokenHashes.isEmpty }

        /// `HOST:PORT` split, the host without brackets; nil when it is not of that form.
        public static func split(listen: String) -> (host: String, port: Int)? {
            guard let colon = listen.lastIndex(of: ":") else { return nil }
            var host = String(listen[..<colon])
            guard let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port), !host.isEmpty else { return nil }
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.contains(":") && !listen.hasPrefix("[") { return nil }
            return (host, port)
        }

        /// Whether `host` is a loopback address or `localhost`.
        public static func isLoopback(host: String) -> Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }
}

extension NodeConfigurationParser {
    mutating func http(_ node: Node) -> NodeConfiguration.HTTP {
        var http = NodeConfiguration.HTTP()
        let keys = ["listen", "users", "tokens", "insecure", "max-connections", "max-viewers", "idle-timeout", "write-timeout", "tls"]
        guard let fields = reader.fields(of: node, subject: "'http'", context: "in http", allowed: keys) else { return http }
        if let node = fields["listen"], let text = reader.text(node, fields.what("listen")) {
            if text == "off" {
                http.listen = nil
            } else if NodeConfiguration.HTTP.split(listen: text) == nil {
                reader.report("\(fields.what("listen")) must be HOST:PORT (127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080) or off, not '\(text)'", at: node)
            } else {
                http.listen = text
            }
        }
        if let node = fields["insecure"], let value = reader.bool(node, fields.what("insecure")) { http.insecure = value }
        func count(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            guard let node = fields[key], let value = reader.integer(node, fields.what(key)) else { return nil }
            guard range.contains(value) else {
                reader.report("\(fields.what(key)) must be from \(range.lowerBound) to \(range.upperBound), not \(value)", at: node)
                return nil
            }
            return value
        }
        if let value = count("max-connections", 1...10_000) { http.maxConnections = value }
        if let value = count("max-viewers", 0...10_000) { http.maxViewers = value }
        for key in ["idle-timeout", "write-timeout"] {
            guard let node = fields[key], let value = reader.duration(node, fields.what(key)) else { continue }
            guard value > .zero, value <= .seconds(3600) else {
                reader.report("\(fields.what(key)) must be above zero and at most 1h", at: node)
                continue
            }
            if key == "idle-timeout" { http.idleTimeout = value } else { http.writeTimeout = value }
        }
        if let node = fields["users"], let items = reader.list(node, fields.what("users")) {
            for (number, item) in items.enumerated() {
                let context = "in user \(number + 1) of http users"
                guard let user = reader.fields(of: item, subject: "user \(number + 1) of 'users'", context: context, allowed: ["name", "password-hash"])
                else { continue }
                guard let nameNode = user["name"], let name = reader.text(nameNode, user.what("name")),
                      let hashNode = user["password-hash"], let hash = reader.text(hashNode, user.what("password-hash"))
                else {
                    reader.report("each user needs 'name' and 'password-hash' (make one with 'vigil http hash-password')", at: item)
                    continue
                }
                guard !name.isEmpty, !name.contains(":") else {
                    reader.report("\(user.what("name")) must be non-empty without ':'", at: nameNode)
                    continue
                }
                guard Self.isBcryptHash(hash) else {
                    reader.report("\(user.what("password-hash")) must be a bcrypt hash ($2b$...), made with 'vigil http hash-password', not a password", at: hashNode)
                    continue
                }
                http.users.append(.init(name: name, passwordHash: hash))
            }
        }
        if let node = fields["tokens"], let items = reader.list(node, fields.what("tokens")) {
            for item in items {
                guard let hash = reader.text(item, "each of 'tokens' in http") else { continue }
                guard Self.isBcryptHash(hash) else {
                    reader.report("each of 'tokens' in http must be a bcrypt hash of the token ($2b$...), made with 'vigil http hash-password', not the token", at: item)
                    continue
                }
                http.tokenHashes.append(hash)
            }
        }
        if let node = fields["tls"],
           let tls = reader.fields(of: node, subject: "'tls' in http", context: "in http tls", allowed: ["certificate", "key"]) {
            let certificate = tls["certificate"].flatMap { reader.text($0, tls.what("certificate")) }
            let key = tls["key"].flatMap { reader.text($0, tls.what("key")) }
            if let certificate, let key {
                http.tls = .init(certificatePath: certificate, keyPath: key)
            } else {
                reader.report("'tls' in http needs 'certificate' and 'key' (PEM files)", at: node)
            }
        }
        if let listen = http.listen, let (host, _) = NodeConfiguration.HTTP.split(listen: listen),
           !NodeConfiguration.HTTP.isLoopback(host: host), !http.requiresAuthentication, !http.insecure {
            reader.report(
                "'http' listens on \(listen), beyond this machine, without users or tokens: add some, or say 'insecure: true'",
                at: fields["listen"] ?? node)
        }
        return http
    }

    /// Whether `text` looks like a bcrypt hash: `$2a$`, `$2b$` or `$2y$`, cost, 53 characters of salt and hash.
    static func isBcryptHash(_ text: String) -> Bool {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0].isEmpty && ["2a", "2b", "2y"].contains(parts[1]) && parts[2].count == 2
            && parts[2].allSatisfy(\.isNumber) && parts[3].count == 53
    }
}
