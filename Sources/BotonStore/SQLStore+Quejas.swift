public import BotonRepository
public import BotonCore

extension SQLStore {
    private static var quejaColumns: String { """
        id, channel, state, tramite_ref, incident_ref, upc_code, subcircuit_code, description, contact, received_at,
        coalesce(updated_at, received_at)
        """ }

    public func insertQueja(_ r: QuejaRecord) throws(StoreError) -> Int64 {
        return try sql.prepared("""
            INSERT INTO queja (channel, state, tramite_ref, incident_ref, upc_code, subcircuit_code, description,
                               contact, received_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            RETURNING id
            """).first([.text(r.channel.rawValue), .text(r.state.rawValue), Self.optional(r.tramiteRef),
                      r.incidentRef.map { .integer($0) } ?? .null, Self.optional(r.upcCode),
                      Self.optional(r.subcircuitCode), .text(r.description), Self.optional(r.contact),
                      .integer(r.receivedAt.millisecondsSince1970), .integer(r.updatedAt.millisecondsSince1970)]) { $0.int64(0) } ?? 0
    }

    public func queja(id: Int64) throws(StoreError) -> QuejaRecord? {
        try sql.prepared("SELECT \(Self.quejaColumns) FROM queja WHERE id = ?1")
            .first([.integer(id)], Self.quejaRecord)
    }

    public func quejas(scope: EnrollmentScope, states: [QuejaState], limit: Int) throws(StoreError) -> [QuejaRecord] {
        let wanted = states.map { "'\($0.rawValue)'" }.joined(separator: ",")
        let base = "SELECT \(Self.quejaColumns) FROM queja WHERE state IN (\(wanted))"
        switch scope {
        case .upc(let upc):
            return try sql.prepared(base + " AND upc_code = ?1 ORDER BY received_at, id LIMIT ?2")
                .rows([.text(upc), .integer(Int64(limit))], Self.quejaRecord)
        case .district(let district):
            return try sql.prepared(base + """
                 AND (substr(subcircuit_code, 1, 5) = ?1 OR substr(upc_code, 5, 5) = ?1)
                 ORDER BY received_at, id LIMIT ?2
                """).rows([.text(district), .integer(Int64(limit))], Self.quejaRecord)
        case .all:
            return try sql.prepared(base + " ORDER BY received_at, id LIMIT ?1")
                .rows([.integer(Int64(limit))], Self.quejaRecord)
        }
    }

    public func updateQuejaState(id: Int64, to state: QuejaState, at: Timestamp) throws(StoreError) {
        try sql.prepared("UPDATE queja SET state = ?2, updated_at = ?3 WHERE id = ?1")
            .run([.integer(id), .text(state.rawValue), .integer(at.millisecondsSince1970)])
        guard sql.changes == 1 else { throw StoreError(kind: .notFound, message: "queja \(id)") }
    }

    public func appendQuejaTransition(quejaID: Int64, _ t: QuejaTransitionRecord) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO queja_transition (queja_id, from_state, to_state, actor, at, note)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """).run([.integer(quejaID), Self.optional(t.from?.rawValue), .text(t.to.rawValue), .text(t.actor),
                      .integer(t.at.millisecondsSince1970), Self.optional(t.note)])
    }

    public func quejaTransitions(quejaID: Int64) throws(StoreError) -> [QuejaTransitionRecord] {
        try sql.prepared("""
            SELECT from_state, to_state, actor, at, note FROM queja_transition WHERE queja_id = ?1 ORDER BY id
            """).rows([.integer(quejaID)]) { (s) throws(StoreError) -> QuejaTransitionRecord in
            guard let to = QuejaState(rawValue: s.text(1)) else {
                throw StoreError(kind: .invalidData, message: "queja_transition of \(quejaID) to \(s.text(1))")
            }
            return QuejaTransitionRecord(from: s.optionalText(0).flatMap(QuejaState.init(rawValue:)), to: to,
                                         actor: s.text(2), at: Timestamp(millisecondsSince1970: s.int64(3)),
                                         note: s.optionalText(4))
        }
    }

    public func incidentPlace(id: Int64) throws(StoreError) -> (upc: String, subcircuit: String?)? {
        try sql.prepared("SELECT upc_code, subcircuit_code FROM incident WHERE id = ?1")
            .first([.integer(id)]) { s in (s.text(0), s.optionalText(1)) }
    }

    public func enrollmentPlace(tramite: String) throws(StoreError) -> (upc: String, subcircuit: String)? {
        try sql.prepared("SELECT upc_code, subcircuit_code FROM enrollment WHERE tramite = ?1")
            .first([.text(tramite)]) { s in (s.text(0), s.text(1)) }
    }

    public func upcExists(_ code: String) throws(StoreError) -> Bool {
        try sql.prepared("SELECT 1 FROM upc WHERE code = ?1").first([.text(code)]) { _ in true } ?? false
    }

    package static func optional(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }

    private static func quejaRecord(_ s: any SQLRow) throws(StoreError) -> QuejaRecord {
        guard let channel = QuejaChannel(rawValue: s.text(1)), let state = QuejaState(rawValue: s.text(2)) else {
            throw StoreError(kind: .invalidData, message: "queja \(s.int64(0)) has channel \(s.text(1)), state \(s.text(2))")
        }
        return QuejaRecord(id: s.int64(0), channel: channel, state: state, tramiteRef: s.optionalText(3),
                           incidentRef: s.optionalInt64(4), upcCode: s.optionalText(5),
                           subcircuitCode: s.optionalText(6), description: s.text(7), contact: s.optionalText(8),
                           receivedAt: Timestamp(millisecondsSince1970: s.int64(9)),
                           updatedAt: Timestamp(millisecondsSince1970: s.int64(10)))
    }
}
