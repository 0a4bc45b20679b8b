public import BotonRepository
public import BotonCore

extension SQLStore {
    public func insertOperator(_ r: OperatorRecord) throws(StoreError) -> Int64 {
        return try sql.prepared("""
            INSERT INTO operator (username, display_name, role, upc_code, district_code, password_hash,
                password_salt, password_rounds, failed_logins, locked_until, created_at, disabled_at, rank)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            RETURNING id
            """).first([.text(r.username), .text(r.displayName), .text(r.role.rawValue), r.upcCode.map { .text($0) } ?? .null,
                      r.districtCode.map { .text($0) } ?? .null, .blob(r.passwordHash), .blob(r.passwordSalt),
                      .integer(Int64(r.passwordRounds)), .integer(Int64(r.failedLogins)),
                      r.lockedUntil.map { .integer($0.millisecondsSince1970) } ?? .null,
                      .integer(r.createdAt.millisecondsSince1970),
                      r.disabledAt.map { .integer($0.millisecondsSince1970) } ?? .null,
                      r.rank.map { .text($0) } ?? .null]) { $0.int64(0) } ?? 0
    }

    private static var columns: String { """
        id, username, display_name, role, upc_code, district_code, password_hash, password_salt, password_rounds,
        failed_logins, locked_until, created_at, disabled_at, rank
        """ }

    private static func record(_ s: any SQLRow) throws(StoreError) -> OperatorRecord {
        OperatorRecord(id: s.int64(0), username: s.text(1), displayName: s.text(2), rank: s.optionalText(13),
                       role: try s.value(3, as: OperatorRole.self),
                       upcCode: s.optionalText(4), districtCode: s.optionalText(5), passwordHash: s.blob(6),
                       passwordSalt: s.blob(7), passwordRounds: s.int(8), failedLogins: s.int(9),
                       lockedUntil: s.optionalInt64(10).map { Timestamp(millisecondsSince1970: $0) },
                       createdAt: Timestamp(millisecondsSince1970: s.int64(11)),
                       disabledAt: s.optionalInt64(12).map { Timestamp(millisecondsSince1970: $0) })
    }

    public func operatorRecord(username: String) throws(StoreError) -> OperatorRecord? {
        try sql.prepared("SELECT \(Self.columns) FROM operator WHERE username = ?1")
            .first([.text(username)], Self.record)
    }

    public func operatorRecord(id: Int64) throws(StoreError) -> OperatorRecord? {
        try sql.prepared("SELECT \(Self.columns) FROM operator WHERE id = ?1").first([.integer(id)], Self.record)
    }

    public func operatorRecords() throws(StoreError) -> [OperatorRecord] {
        try sql.prepared("SELECT \(Self.columns) FROM operator ORDER BY username").rows([], Self.record)
    }

    public func operatorNames(ids: Set<Int64>) throws(StoreError) -> [Int64: String] {
        var names: [Int64: String] = [:]
        let statement = try sql.prepared("SELECT display_name, rank FROM operator WHERE id = ?1")
        for id in ids.sorted() {
            if let name = try statement.first([.integer(id)], { OperatorIdentity.shownName(rank: $0.optionalText(1),
                                                                                          name: $0.text(0)) }) {
                names[id] = name
            }
        }
        return names
    }

    public func setOperatorDisabled(id: Int64, at: Timestamp?) throws(StoreError) {
        try sql.prepared("UPDATE operator SET disabled_at = ?2 WHERE id = ?1")
            .run([.integer(id), at.map { .integer($0.millisecondsSince1970) } ?? .null])
    }

    public func setOperatorPassword(id: Int64, hash: [UInt8], salt: [UInt8], rounds: Int) throws(StoreError) {
        try sql.prepared("""
            UPDATE operator SET password_hash = ?2, password_salt = ?3, password_rounds = ?4, failed_logins = 0,
                locked_until = NULL WHERE id = ?1
            """).run([.integer(id), .blob(hash), .blob(salt), .integer(Int64(rounds))])
    }

    public func recordLoginFailure(operatorID: Int64, failedLogins: Int, lockedUntil: Timestamp?)
        throws(StoreError)
    {
        try sql.prepared("UPDATE operator SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1")
            .run([.integer(operatorID), .integer(Int64(failedLogins)),
                  lockedUntil.map { .integer($0.millisecondsSince1970) } ?? .null])
    }

    public func recordLoginSuccess(operatorID: Int64) throws(StoreError) {
        try sql.prepared("UPDATE operator SET failed_logins = 0, locked_until = NULL WHERE id = ?1")
            .run([.integer(operatorID)])
    }

    public func upcName(code: String) throws(StoreError) -> String? {
        try sql.prepared("SELECT name FROM upc WHERE code = ?1").first([.text(code)]) { $0.text(0) }
    }

    public func districtName(code: String) throws(StoreError) -> String? {
        try sql.prepared("SELECT name FROM territory_unit WHERE code = ?1 AND level = 'distrito'")
            .first([.text(code)]) { $0.text(0) }
    }
}
