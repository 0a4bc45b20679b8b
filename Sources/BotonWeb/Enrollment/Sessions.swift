public import BotonCore
import BotonCrypto
import BotonHTTP
public import BotonRepository

/// A signed-in officer, as a request sees it.
public struct OfficerSession: Sendable {
    public let identity: OperatorIdentity
    /// SHA-256 of the cookie's token: the session's key in `operator_session`.
    public let tokenHash: [UInt8]
    public let expiresAt: Timestamp

    /// What CSRF tokens of this session are signed with (see ``CSRFGuard``): the token hash in hex. The token
    /// itself never leaves the cookie.
    public var csrfBinding: String { Hex.encode(tokenHash) }
}

/// What officer sessions need of the store.
public typealias SessionStore = Transactional & SessionRepository & AuditLogRepository

/// Server-side sessions of the officers' pages and API (`operator_session`, migration 4).
///
/// Sign-in makes a random 32-byte token, sends it in the `boton_sesion` cookie (`HttpOnly`, `SameSite=Strict`,
/// `Path=/`, `Max-Age` the lifetime, `Secure` over HTTPS) and stores only its SHA-256 with the operator and the
/// expiry, fixed at sign-in (`http.session_hours`, 8 by default: a shift; using the session does not extend it).
/// Every request looks the hash up: a session is live while unexpired and its account is not disabled, and the
/// operator's identity (role, UPC, distrito) is read fresh from `operator` each time, so a change of scope or a
/// disabled account takes effect on the next request. Sign-out deletes the row: the cookie is then worthless
/// even if it was copied. Signing in again replaces the session the browser had (no fixation), and expired rows are
/// deleted at each sign-in.
public final class Sessions: Sendable {
    public static let cookieName = "boton_sesion"
    public let lifetimeMilliseconds: Int64

    public init(hours: Double) {
        lifetimeMilliseconds = max(1, Int64((hours * 3_600_000).rounded()))
    }

    /// The token in the request's cookie, if it has the shape of one (64 hex digits).
    static func token(of request: HTTPRequest) -> [UInt8]? {
        guard let value = request.cookie(cookieName), value.utf8.count == 64, let bytes = Hex.decode(value) else {
            return nil
        }
        return bytes
    }

    /// True when the request carries a session cookie (live or not).
    func hasCookie(_ request: HTTPRequest) -> Bool { request.cookie(Self.cookieName) != nil }

    /// Starts a session for `identity` (already authenticated): returns it and the `Set-Cookie` value.
    func signIn(_ identity: OperatorIdentity, request: HTTPRequest, store: any SessionStore, at: Timestamp) throws
        -> (session: OfficerSession, setCookie: String)
    {
        let token = try Digest.randomBytes(32)
        let hash = Digest.sha256(token)
        let expires = at.adding(milliseconds: lifetimeMilliseconds)
        try store.inTransaction { () throws(StoreError) in
            try store.deleteExpiredSessions(at: at)
            if let previous = Self.token(of: request) { try store.deleteSession(tokenHash: Digest.sha256(previous)) }
            try store.insertSession(OperatorSessionRecord(tokenHash: hash, operatorID: identity.id, createdAt: at,
                                                          expiresAt: expires,
                                                          clientAddress: request.clientAddress.isEmpty
                                                              ? nil : request.clientAddress))
        }
        var cookie = "\(Self.cookieName)=\(Hex.encode(token)); Path=/; HttpOnly; SameSite=Strict; "
            + "Max-Age=\(max(1, lifetimeMilliseconds / 1000))"
        if request.isSecure { cookie += "; Secure" }
        return (OfficerSession(identity: identity, tokenHash: hash, expiresAt: expires), cookie)
    }

    /// The live session of the request's cookie, or nil (no cookie, unknown, expired, signed out, disabled).
    func current(_ request: HTTPRequest, store: any SessionStore, at: Timestamp) throws(StoreError) -> OfficerSession? {
        guard let token = Self.token(of: request) else { return nil }
        let hash = Digest.sha256(token)
        guard let (session, record) = try store.liveSession(tokenHash: hash, at: at) else { return nil }
        let identity = OperatorIdentity(id: session.operatorID, username: record.username,
                                        displayName: record.shownName, role: record.role, upcCode: record.upcCode,
                                        districtCode: record.districtCode)
        return OfficerSession(identity: identity, tokenHash: hash, expiresAt: session.expiresAt)
    }

    /// Ends `session` (sign-out) and records it in the audit log (`cierre_sesion`).
    func signOut(_ session: OfficerSession, store: any SessionStore, at: Timestamp) throws(StoreError) {
        try store.inTransaction { () throws(StoreError) in
            try store.deleteSession(tokenHash: session.tokenHash)
            let subject = "operador:\(session.identity.id)"
            try store.appendAudit(AuditEntry(at: at, actor: subject, action: "cierre_sesion", subject: subject))
        }
    }

    /// A `Set-Cookie` value that makes the browser forget its session cookie.
    func expiredCookie(secure: Bool) -> String {
        "\(Self.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "")
    }
}
