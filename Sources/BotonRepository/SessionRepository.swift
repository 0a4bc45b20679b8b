public import BotonCore

/// An officer's sign-in as stored: the SHA-256 of the cookie's token (never the token), whose it is, and when it
/// ends.
public struct OperatorSessionRecord: Sendable, Equatable {
    /// SHA-256 of the token the browser holds (32 bytes).
    public var tokenHash: [UInt8]
    public var operatorID: Int64
    public var createdAt: Timestamp
    /// Fixed at sign-in; the session is refused from this instant on.
    public var expiresAt: Timestamp
    /// Where the sign-in came from, for the audit trail.
    public var clientAddress: String?

    public init(tokenHash: [UInt8], operatorID: Int64, createdAt: Timestamp, expiresAt: Timestamp,
                clientAddress: String?) {
        self.tokenHash = tokenHash
        self.operatorID = operatorID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.clientAddress = clientAddress
    }
}

/// Server-side sessions of the web console and the officers' API (migration 4).
public protocol SessionRepository {
    func insertSession(_ record: OperatorSessionRecord) throws(StoreError)
    /// The session with this token hash and its operator, when it has not expired at `at` and the account is
    /// not disabled; otherwise nil.
    func liveSession(tokenHash: [UInt8], at: Timestamp) throws(StoreError)
        -> (session: OperatorSessionRecord, operator: OperatorRecord)?
    /// Ends one session (sign-out). True when it existed.
    @discardableResult
    func deleteSession(tokenHash: [UInt8]) throws(StoreError) -> Bool
    /// Ends every session of an operator (account disabled, password changed). Returns how many.
    @discardableResult
    func deleteSessions(operatorID: Int64) throws(StoreError) -> Int
    /// Removes sessions that expired before `at`. Returns how many.
    @discardableResult
    func deleteExpiredSessions(at: Timestamp) throws(StoreError) -> Int
}
