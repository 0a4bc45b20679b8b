public import BotonRepository
public import BotonCore

/// Supervision of senders (migration 12). The same SQL on SQLite and PostgreSQL.
extension SQLStore {
    /// Writes a batch's signs of life: an upsert for each sender whose supervision starts (a phone's `latido`, rare),
    /// and for the rest one statement per ``sightingChunk`` senders that refreshes those already supervised and
    /// touches nothing else (most phones are not: a statement per frame cost the writer a round trip per alert).
    public func recordSightings(_ sightings: [SenderSighting]) throws(StoreError) {
        var refreshes: [SenderSighting] = []
        for s in sightings {
            guard s.starts else {
                refreshes.append(s)
                continue
            }
            try sql.prepared("""
                INSERT INTO sender_supervision (kind, sender, label, upc_code, interval_s, last_seen_at, silent_at,
                    silent_since, latitude, longitude) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9)
                ON CONFLICT (kind, sender) DO UPDATE SET label = excluded.label, upc_code = excluded.upc_code,
                    interval_s = excluded.interval_s, last_seen_at = excluded.last_seen_at,
                    silent_at = excluded.silent_at, silent_since = NULL,
                    latitude = COALESCE(excluded.latitude, sender_supervision.latitude),
                    longitude = COALESCE(excluded.longitude, sender_supervision.longitude)
                """).send(Self.sightingValues(s))
        }
        var start = 0
        while start < refreshes.count {
            let chunk = refreshes[start ..< min(start + Self.sightingChunk, refreshes.count)]
            try sql.prepared(Self.refreshSQL(rows: chunk.count)).send(chunk.flatMap(Self.sightingValues))
            start += chunk.count
        }
    }

    /// Senders refreshed by one statement (the statement's text depends only on its row count: at most this many
    /// prepared variants per connection).
    static var sightingChunk: Int { 32 }

    static func sightingValues(_ s: SenderSighting) -> [SQLValue] {
        [.text(s.kind.rawValue), .text(s.sender), .text(s.label), .text(s.upcCode),
         .integer(Int64(s.intervalSeconds)), .integer(s.at.millisecondsSince1970),
         .integer(s.silentAt.millisecondsSince1970), s.latitude.map { .real($0) } ?? .null,
         s.longitude.map { .real($0) } ?? .null]
    }

    /// `UPDATE … FROM (VALUES …)`, which both engines take (SQLite since 3.33); the derived table's columns are
    /// `column1` … `column9` in both. The positions are cast: a column of NULLs alone has no type in PostgreSQL.
    static func refreshSQL(rows: Int) -> String {
        let values = (0 ..< rows).map { row in
            "(" + (1 ... 9).map { "?\(row * 9 + $0)" }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
        return """
            UPDATE sender_supervision SET label = v.column3, upc_code = v.column4, interval_s = v.column5,
                last_seen_at = v.column6, silent_at = v.column7, silent_since = NULL,
                latitude = COALESCE(CAST(v.column8 AS DOUBLE PRECISION), sender_supervision.latitude),
                longitude = COALESCE(CAST(v.column9 AS DOUBLE PRECISION), sender_supervision.longitude)
            FROM (VALUES \(values)) AS v
            WHERE sender_supervision.kind = v.column1 AND sender_supervision.sender = v.column2
            """
    }

    static var supervisedColumns: String { """
        kind, sender, label, upc_code, interval_s, last_seen_at, silent_at, silent_since, latitude, longitude
        """ }

    static func supervisedSender(_ s: any SQLRow) -> SupervisedSender {
        SupervisedSender(kind: SenderKind(rawValue: s.text(0)) ?? .telefono, sender: s.text(1), label: s.text(2),
                         upcCode: s.text(3), intervalSeconds: Int(s.int64(4)),
                         lastSeenAt: Timestamp(millisecondsSince1970: s.int64(5)),
                         silentAt: Timestamp(millisecondsSince1970: s.int64(6)),
                         silentSince: s.optionalInt64(7).map { Timestamp(millisecondsSince1970: $0) },
                         latitude: s.optionalDouble(8), longitude: s.optionalDouble(9))
    }

    public func sendersFallingSilent(now: Timestamp, limit: Int) throws(StoreError) -> [SupervisedSender] {
        try sql.prepared("""
            SELECT \(Self.supervisedColumns) FROM sender_supervision
            WHERE silent_since IS NULL AND silent_at < ?1 ORDER BY silent_at LIMIT ?2
            """).rows([.integer(now.millisecondsSince1970), .integer(Int64(limit))]) { s in Self.supervisedSender(s) }
    }

    public func senderIsSupervisable(kind: SenderKind, sender: String) throws(StoreError) -> Bool {
        let query: String
        switch kind {
        case .telefono: query = "SELECT 1 FROM device WHERE id = ?1 AND revoked_at IS NULL"
        case .sitio:
            query = "SELECT 1 FROM dc09_site WHERE account = ?1 AND disabled_at IS NULL AND supervision_s IS NOT NULL"
        case .gateway:
            query = "SELECT 1 FROM gateway WHERE id = ?1 AND revoked_at IS NULL AND supervision_s IS NOT NULL"
        }
        return try sql.prepared(query).first([.text(sender)]) { _ in true } ?? false
    }

    public func markSilent(kind: SenderKind, sender: String, since: Timestamp, now: Timestamp) throws(StoreError)
        -> Bool
    {
        try sql.prepared("""
            UPDATE sender_supervision SET silent_since = ?3
            WHERE kind = ?1 AND sender = ?2 AND silent_since IS NULL AND silent_at < ?4
            """).run([.text(kind.rawValue), .text(sender), .integer(since.millisecondsSince1970),
                      .integer(now.millisecondsSince1970)])
        return sql.changes > 0
    }

    public func stopSupervising(kind: SenderKind, sender: String) throws(StoreError) {
        try sql.prepared("DELETE FROM sender_supervision WHERE kind = ?1 AND sender = ?2")
            .run([.text(kind.rawValue), .text(sender)])
    }

    public func silentSenders(upcs: [String]?, limit: Int) throws(StoreError) -> [SupervisedSender] {
        guard let upcs else {
            return try sql.prepared("""
                SELECT \(Self.supervisedColumns) FROM sender_supervision
                WHERE silent_since IS NOT NULL ORDER BY silent_since LIMIT ?1
                """).rows([.integer(Int64(limit))]) { s in Self.supervisedSender(s) }
        }
        // One index range per UPC (a distrito has a handful), merged.
        var all: [SupervisedSender] = []
        let statement = try sql.prepared("""
            SELECT \(Self.supervisedColumns) FROM sender_supervision
            WHERE upc_code = ?1 AND silent_since IS NOT NULL ORDER BY silent_since LIMIT ?2
            """)
        for upc in upcs {
            all += try statement.rows([.text(upc), .integer(Int64(limit))]) { s in Self.supervisedSender(s) }
        }
        all.sort { ($0.silentSince ?? $0.silentAt) < ($1.silentSince ?? $1.silentAt) }
        return Array(all.prefix(limit))
    }

    public func silentSenderCounts() throws(StoreError) -> [SenderKind: Int] {
        var counts: [SenderKind: Int] = [:]
        for kind in SenderKind.allCases { counts[kind] = 0 }
        let rows = try sql.prepared("""
            SELECT kind, COUNT(*) FROM sender_supervision WHERE silent_since IS NOT NULL GROUP BY kind
            """).rows([]) { s in (s.text(0), Int(s.int64(1))) }
        for (kind, count) in rows { if let k = SenderKind(rawValue: kind) { counts[k] = count } }
        return counts
    }

    public func supervisedSender(kind: SenderKind, sender: String) throws(StoreError) -> SupervisedSender? {
        try sql.prepared("SELECT \(Self.supervisedColumns) FROM sender_supervision WHERE kind = ?1 AND sender = ?2")
            .first([.text(kind.rawValue), .text(sender)]) { s in Self.supervisedSender(s) }
    }
}
