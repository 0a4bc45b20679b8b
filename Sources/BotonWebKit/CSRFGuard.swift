import BotonCrypto
public import BotonHTTP

/// CSRF tokens for every form, by the signed double-submit pattern: the token is random, sent in a cookie
/// (`HttpOnly`, `SameSite=Strict`, `Secure` over HTTPS) and in the form's hidden field, and a POST is accepted only
/// when both are present, equal, and carry the server's signature (HMAC with a key the server keeps in its store, so open forms survive a restart), so a
/// token cannot be planted from another site. With a session, the token is bound to it (the session id is
/// signed in).
public struct CSRFGuard: Sendable {
    public static let cookieName = "boton_csrf"
    public static let fieldName = "csrf"
    private let key: [UInt8]

    public init(key: [UInt8]) { self.key = key }

    /// A new random key (tokens then last as long as the process; the server keeps its key in the database).
    public static func random() throws -> CSRFGuard { CSRFGuard(key: try Digest.randomBytes(32)) }

    /// The token to put in the form, and the `Set-Cookie` value when the request had no valid one yet.
    public func token(for request: HTTPRequest, session: String = "") throws -> (token: String, setCookie: String?) {
        if let existing = request.cookie(Self.cookieName), valid(existing, session: session) { return (existing, nil) }
        let nonce = Hex.encode(try Digest.randomBytes(16))
        let token = nonce + "." + signature(nonce, session: session)
        var cookie = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
        if request.isSecure { cookie += "; Secure" }
        return (token, cookie)
    }

    /// True when the submitted field equals the cookie and is signed by this server (for this session).
    public func verify(_ request: HTTPRequest, submitted: String?, session: String = "") -> Bool {
        guard let submitted, let cookie = request.cookie(Self.cookieName), valid(submitted, session: session) else {
            return false
        }
        return Digest.constantTimeEqual(Array(submitted.utf8), Array(cookie.utf8))
    }

    private func valid(_ token: String, session: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 32 else { return false }
        return Digest.constantTimeEqual(Array(parts[1].utf8), Array(signature(String(parts[0]), session: session).utf8))
    }

    private func signature(_ nonce: String, session: String) -> String {
        Hex.encode(Digest.hmacSHA256(key: key, data: Array("\(nonce)|\(session)".utf8)).prefix(16))
    }
}
