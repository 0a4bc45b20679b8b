public import BotonRepository
public import BotonCore

extension SQLStore {
    public func insertSession(_ r: OperatorSessionRecord) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO operator_session (token_hash, operator_id, created_at, expires_at, client_address)
            VALUES (?1, ?2, ?3, ?4, ?5)
            """).run([.blob(r.tokenHash), .integer(r.operatorID), .integer(r.createdAt.millisecondsSince1970),
                      .integer(r.expiresAt.millisecondsSince1970), r.clientAddress.map { .text($0) } ?? .null])
    }

    public func liveSession(tokenHash: [UInt8], at: Timestamp) throws(StoreError)
        -> (session: OperatorSessionRecord, operator: OperatorRecord)?
    {
        guard let session = try sql.prepared("""
            SELECT s.token_hash, s.operator_id, s.created_at, s.expires_at, s.client_address
            FROM operator_session s JOIN operator o ON o.id = s.operator_id
            WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND o.disabled_at IS NULL
            """).first([.blob(tokenHash), .integer(at.millisecondsSince1970)], { s in
                OperatorSessionRecord(tokenHash: s.blob(0), operatorID: s.int64(1),
                                      createdAt: Timestamp(millisecondsSince1970: s.int64(2)),
                                      expiresAt: Timestamp(millisecondsSince1970: s.int64(3)),
                                      clientAddress: s.optionalText(4))
            }) else { return nil }
        guard let record = try operatorRecord(id: session.operatorID) else { return nil }
        return (session, record)
    }

    @discardableResult
    public func deleteSession(tokenHash: [UInt8]) throws(StoreError) -> Bool {
        try sql.prepared("DELETE FROM operator_session WHERE token_hash = ?1").run([.blob(tokenHash)])
        return sql.changes > 0
    }

    @discardableResult
    public func deleteSessions(operatorID: Int64) throws(StoreError) -> Int {
        try sql.prepared("DELETE FROM operator_session WHERE operator_id = ?1").run([.integer(operatorID)])
        return sql.changes
    }

    @discardableResult
    public func deleteExpiredSessions(at: Timestamp) throws(StoreError) -> Int {
        try sql.prepared("DELETE FROM operator_session WHERE expires_at <= ?1")
            .run([.integer(at.millisecondsSince1970)])
        return sql.changes
    }
}
