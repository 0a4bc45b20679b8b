public import BotonCore
public import BotonRepository
public import BotonStore

/// An alert written directly, as the console would leave it: for tests and benchmarks of the statistics, which
/// only read alerts. (The service writes alerts through the ingestion pipeline and the console.)
public struct IncidentFixture: Sendable, Equatable {
    public var lineE164: String
    public var isTest: Bool
    public var outcome: IncidentOutcome?
    public var upcCode: String
    public var subcircuitCode: String?
    public var openedAt: Timestamp
    public var takenAt: Timestamp?
    /// Nil: the alert is still open (`recibida`, or `tomada` when taken).
    public var closedAt: Timestamp?
    /// Escalations recorded for it (`incident_event` of kind `escalada`).
    public var escalatedAt: [Timestamp]

    public init(lineE164: String = "+593990000001", isTest: Bool = false, outcome: IncidentOutcome?,
                upcCode: String, subcircuitCode: String?, openedAt: Timestamp, takenAt: Timestamp? = nil,
                closedAt: Timestamp?, escalatedAt: [Timestamp] = []) {
        self.lineE164 = lineE164
        self.isTest = isTest
        self.outcome = outcome
        self.upcCode = upcCode
        self.subcircuitCode = subcircuitCode
        self.openedAt = openedAt
        self.takenAt = takenAt
        self.closedAt = closedAt
        self.escalatedAt = escalatedAt
    }
}

extension SQLStore {
    /// Inserts alerts (and the phone lines they need) in one transaction; returns their ids in order. Written in
    /// the SQL both engines accept, so the tests that use it run on either backend.
    @discardableResult
    public func insertIncidentFixtures(_ fixtures: [IncidentFixture]) throws(StoreError) -> [Int64] {
        let db = sql
        return try db.inTransaction { () throws(StoreError) -> [Int64] in
            let line = try db.prepared("""
                INSERT INTO phone_line (e164, kind, created_at) VALUES (?1, 'celular', 0) ON CONFLICT DO NOTHING
                """)
            let incident = try db.prepared("""
                INSERT INTO incident (line_e164, is_test, state, outcome, upc_code, subcircuit_code, location_source,
                                      opened_at, taken_at, closed_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'gps', ?7, ?8, ?9) RETURNING id
                """)
            let event = try db.prepared("""
                INSERT INTO incident_event (incident_id, upc_code, kind, actor, at)
                VALUES (?1, (SELECT upc_code FROM incident WHERE id = ?1), 'escalada', 'sistema', ?2)
                """)
            var ids: [Int64] = []
            for f in fixtures {
                try line.run([.text(f.lineE164)])
                let state = f.closedAt != nil ? "cerrada" : (f.takenAt != nil ? "tomada" : "recibida")
                let id = try incident.first([.text(f.lineE164), .integer(f.isTest ? 1 : 0), .text(state),
                                  f.closedAt == nil ? .null : (f.outcome.map { .text($0.rawValue) } ?? .null),
                                  .text(f.upcCode), f.subcircuitCode.map { .text($0) } ?? .null,
                                  .integer(f.openedAt.millisecondsSince1970),
                                  f.takenAt.map { .integer($0.millisecondsSince1970) } ?? .null,
                                  f.closedAt.map { .integer($0.millisecondsSince1970) } ?? .null]) { $0.int64(0) } ?? 0
                if !f.escalatedAt.isEmpty { try db.orderEventAppends() }
                for at in f.escalatedAt { try event.run([.integer(id), .integer(at.millisecondsSince1970)]) }
                ids.append(id)
            }
            return ids
        }
    }
}

extension SQLiteStore {
    /// Bulk-loads `count` closed alerts spread evenly over `[from, to)` in closing order, for the statistics
    /// benchmark: one SQL statement (a recursive CTE) in one transaction. Every 50th alert is a test (`prueba`);
    /// of the others, by `n mod 10`: 0–6 `atendida`, 7 `falsa_alarma`, 8 `cancelada_por_ciudadano`,
    /// 9 `no_localizada`. UPCs and subcircuitos cycle over `places`. Deterministic: the same arguments give the
    /// same rows.
    public func bulkLoadSyntheticIncidents(count: Int, from: Timestamp, to: Timestamp,
                                           places: [(upc: String, subcircuit: String)]) throws(StoreError)
    {
        precondition(count > 0 && !places.isEmpty && to > from)
        let db = database
        // A page cache large enough for the indexes being built: otherwise every index page is spilled to the WAL
        // again and again during the one big transaction.
        try db.execute("PRAGMA cache_size = -2000000")
        defer { try? db.execute("PRAGMA cache_size = -2000") }
        try db.inTransaction { () throws(StoreError) in
            try db.execute("""
                INSERT INTO phone_line (e164, kind, created_at) VALUES ('+593990000001', 'celular', 0)
                ON CONFLICT DO NOTHING
                """)
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS bench_place (k INTEGER PRIMARY KEY, upc TEXT, sub TEXT)")
            try db.execute("DELETE FROM bench_place")
            let place = try db.statement("INSERT INTO bench_place (k, upc, sub) VALUES (?1, ?2, ?3)")
            for (k, p) in places.enumerated() { try place.run([.integer(Int64(k)), .text(p.upc), .text(p.subcircuit)]) }
            let span = to.millisecondsSince1970 - from.millisecondsSince1970
            try db.statement("""
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
                INSERT INTO incident (line_e164, is_test, state, outcome, upc_code, subcircuit_code, location_source,
                                      opened_at, taken_at, closed_at)
                SELECT '+593990000001', i % 50 = 0, 'cerrada',
                       CASE WHEN i % 50 = 0 THEN 'prueba'
                            WHEN i % 10 < 7 THEN 'atendida' WHEN i % 10 = 7 THEN 'falsa_alarma'
                            WHEN i % 10 = 8 THEN 'cancelada_por_ciudadano' ELSE 'no_localizada' END,
                       p.upc, p.sub, 'gps',
                       ?2 + i * ?3 / ?1 - 1800000, ?2 + i * ?3 / ?1 - 1800000 + 5000 + (i * 7919) % 120000,
                       ?2 + i * ?3 / ?1
                FROM n JOIN bench_place p ON p.k = (i * 2654435761) % ?4
                """).run([.integer(Int64(count)), .integer(from.millisecondsSince1970), .integer(span),
                          .integer(Int64(places.count))])
            try db.execute("DELETE FROM bench_place")
        }
    }
}
