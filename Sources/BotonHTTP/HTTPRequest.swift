/// A complete request as produced by ``HTTPRequestParser``.
public struct HTTPRequest: Sendable, Equatable {
    public var method: HTTPMethod
    /// The request-target exactly as received (`/a%20b?x=1`).
    public var target: String
    /// The path, percent-escapes still encoded, without the query (`/a%20b`).
    public var rawPath: String
    /// The path percent-decoded, without the query (`/a b`). It never holds an encoded `/`, a control
    /// character, or a `.`/`..` segment (the parser rejects those), so splitting it on `/` is safe.
    public var path: String
    /// The query string's fields, decoded (`+` is a space), in order.
    public var queryItems: [FormField]
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The client sent `Expect: 100-continue` (HTTP/1.1 only; ignored for HTTP/1.0 as RFC 9110 requires).
    public var expectsContinue: Bool
    /// Set by the server from the connection, never from the request's bytes: the client's address without the
    /// port (`203.0.113.7`, `::1`), for rate limits and logs. Empty when unknown (tests).
    public var clientAddress: String = ""
    /// Set by the server: the request came over TLS (cookies are then marked `Secure`).
    public var isSecure: Bool = false

    /// Builds a request from parts (tests, internal redirects); the target is parsed by the parser's rules.
    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http11, headers: HTTPHeaders = [:],
                body: [UInt8] = []) throws(HTTPParseError) {
        let parsed = try RequestTarget.parse(ArraySlice(target.utf8), method: method)
        self.init(method: method, target: target, parsedTarget: parsed, version: version, headers: headers,
                  body: body)
    }

    init(method: HTTPMethod, target: String, parsedTarget: RequestTarget, version: HTTPVersion,
         headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.target = target
        self.rawPath = parsedTarget.rawPath
        self.path = parsedTarget.path
        self.queryItems = parsedTarget.queryItems
        self.version = version
        self.headers = headers
        self.body = body
        self.expectsContinue = version == .http11 && headers.tokens(for: "Expect").contains("100-continue")
    }

    /// The first value of the header `name` (case-insensitive); see ``HTTPHeaders/values(for:)`` for all.
    public func header(_ name: String) -> String? { headers[name] }

    /// The first query value called `name`.
    public func query(_ name: String) -> String? { queryItems.first(named: name) }

    /// Whether the connection stays open after the response: HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive` (and no `close`).
    public var keepAlive: Bool {
        let connection = headers.tokens(for: "Connection")
        if connection.contains("close") { return false }
        switch version {
        case .http11: return true
        case .http10: return connection.contains("keep-alive")
        }
    }
}
