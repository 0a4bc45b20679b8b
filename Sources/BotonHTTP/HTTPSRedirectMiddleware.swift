/// How the web server treats plain HTTP when it also serves HTTPS: which routes must move to HTTPS, where to, and
/// the `Strict-Transport-Security` header of HTTPS answers.
public struct HTTPSPolicy: Sendable {
    /// Redirect plain-HTTP requests to HTTPS (except ``plainPaths``).
    public var redirect: Bool
    /// `https://host[:port]` to redirect to; nil: the request's `Host` name (validated) with ``httpsPort``.
    public var publicOrigin: String?
    /// The HTTPS port as bound (read when a request comes: the listener binds after the router is built).
    public var httpsPort: @Sendable () -> Int?
    /// `Strict-Transport-Security: max-age=` on every HTTPS answer; 0 sends none.
    public var hstsMaxAgeSeconds: Int
    /// Exact paths, and prefixes ending in `/` or `*`, that stay on plain HTTP.
    public var plainPaths: [String]

    public init(redirect: Bool = true, publicOrigin: String? = nil, httpsPort: @escaping @Sendable () -> Int?,
                hstsMaxAgeSeconds: Int = 31_536_000, plainPaths: [String])
    {
        self.redirect = redirect
        self.publicOrigin = publicOrigin
        self.httpsPort = httpsPort
        self.hstsMaxAgeSeconds = hstsMaxAgeSeconds
        self.plainPaths = plainPaths
    }

    /// True when `path` may be answered on plain HTTP.
    public func allowsPlain(_ path: String) -> Bool {
        plainPaths.contains { pattern in
            if pattern.hasSuffix("*") { return path.hasPrefix(pattern.dropLast()) }
            if pattern.hasSuffix("/") { return path.hasPrefix(pattern) }
            return path == pattern
        }
    }

    /// Where a plain-HTTP request goes on HTTPS, or nil when no safe origin is known (no configured origin, and
    /// the `Host` header missing or not a host name or IP address).
    public func location(for request: HTTPRequest) -> String? {
        let target = request.target.hasPrefix("/") ? request.target : "/"
        if let publicOrigin { return publicOrigin + target }
        guard let port = httpsPort(), let host = request.headers["Host"].flatMap(Self.hostName) else {
            return nil
        }
        return "https://" + host + (port == 443 ? "" : ":\(port)") + target
    }

    /// The host part of a `Host` header value (its port dropped) when it is a DNS name, an IPv4 address or a
    /// bracketed IPv6 address; nil for anything else, so nothing arbitrary is ever put into a `Location`.
    public static func hostName(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= 261 else { return nil }
        var host: [UInt8]
        var rest: ArraySlice<UInt8>
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 2 else { return nil }
            let inner = bytes[1 ..< close]
            guard inner.allSatisfy({ Self.isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }),
                  inner.contains(UInt8(ascii: ":")) else { return nil }
            host = Array(bytes[0 ... close])
            rest = bytes[(close + 1)...]
        } else {
            let colon = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.endIndex
            host = Array(bytes[..<colon]).map { (0x41 ... 0x5A).contains($0) ? $0 + 0x20 : $0 }
            rest = bytes[colon...]
            if host.last == UInt8(ascii: ".") { host.removeLast() }
            guard !host.isEmpty, host.count <= 253 else { return nil }
            let labels = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard labels.allSatisfy({ label in
                (1 ... 63).contains(label.count) && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                    && label.allSatisfy { Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
            }) else { return nil }
        }
        // What follows the host may only be a port.
        if !rest.isEmpty {
            let digits = rest.dropFirst()
            let isPort = digits.count <= 5 && digits.allSatisfy { (0x30 ... 0x39).contains($0) }
            guard rest.first == UInt8(ascii: ":"), isPort else { return nil }
        }
        return String(decoding: host, as: UTF8.self)
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (0x30 ... 0x39).contains(c) || (0x61 ... 0x7A).contains(c) || (0x41 ... 0x5A).contains(c)
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (0x30 ... 0x39).contains(c) || (0x61 ... 0x66).contains(c) || (0x41 ... 0x46).contains(c)
    }
}

extension Middleware {
    /// On plain HTTP, every route outside ``HTTPSPolicy/plainPaths`` is answered `308 Permanent Redirect` to the
    /// same target on HTTPS (308 keeps the method and body, so a POST is not turned into a GET); 400 when no safe
    /// origin is known. On HTTPS, adds `Strict-Transport-Security`.
    public static func https(_ policy: HTTPSPolicy) -> Middleware {
        Middleware { request, _, next in
            if request.isSecure {
                var response = next(request)
                if policy.hstsMaxAgeSeconds > 0 {
                    response.headers.addIfAbsent(name: "Strict-Transport-Security",
                                                 value: "max-age=\(policy.hstsMaxAgeSeconds)")
                }
                return response
            }
            guard policy.redirect, !policy.allowsPlain(request.path) else { return next(request) }
            guard let location = policy.location(for: request) else {
                return .text("Use HTTPS para esta dirección.\n", status: .badRequest)
            }
            var response = HTTPResponse.text("Esta dirección se atiende por HTTPS: \(location)\n",
                                             status: .permanentRedirect)
            response.headers.replace(name: "Location", value: location)
            if policy.publicOrigin == nil { response.headers.replace(name: "Cache-Control", value: "no-store") }
            return response
        }
    }
}
