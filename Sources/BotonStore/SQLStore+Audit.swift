public import BotonRepository
import BotonCore

extension SQLStore {
    @discardableResult
    public func appendAudit(_ entry: AuditEntry) throws(StoreError) -> Int64 {
        return try sql.prepared("""
            INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)
            RETURNING id
            """).first([.integer(entry.at.millisecondsSince1970), .text(entry.actor), .text(entry.action),
                      .text(entry.subject), entry.detail.map { .text($0) } ?? .null]) { $0.int64(0) } ?? 0
    }

    public func auditEntries(subject: String?, limit: Int) throws(StoreError) -> [AuditEntry] {
        if let subject {
            return try sql.prepared("""
                SELECT id, at, actor, action, subject, detail FROM audit_log WHERE subject = ?1
                ORDER BY id DESC LIMIT ?2
                """).rows([.text(subject), .integer(Int64(limit))], Self.auditEntry)
        }
        return try sql.prepared(
            "SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?1"
        ).rows([.integer(Int64(limit))], Self.auditEntry)
    }

    public func auditPage(subject: String?, actor: String?, before: Int64?, limit: Int) throws(StoreError)
        -> [AuditEntry]
    {
        // Only the conditions given, numbered in order: a NULL parameter has no type PostgreSQL could infer.
        var conditions: [String] = []
        var values: [SQLValue] = []
        func add(_ comparison: String, _ value: SQLValue) {
            values.append(value)
            conditions.append("\(comparison) ?\(values.count)")
        }
        if let subject { add("subject =", .text(subject)) }
        if let actor { add("actor =", .text(actor)) }
        if let before { add("id <", .integer(before)) }
        values.append(.integer(Int64(limit)))
        return try sql.prepared("SELECT id, at, actor, action, subject, detail FROM audit_log"
                                + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                                + " ORDER BY id DESC LIMIT ?\(values.count)").rows(values, Self.auditEntry)
    }

    private static func auditEntry(_ s: any SQLRow) -> AuditEntry {
        AuditEntry(id: s.int64(0), at: Timestamp(millisecondsSince1970: s.int64(1)), actor: s.text(2),
                   action: s.text(3), subject: s.text(4), detail: s.optionalText(5))
    }
}
