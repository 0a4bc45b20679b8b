public import BotonRepository
public import BotonCore

extension SQLStore {
    public func countClosedIncidents(isTest: Bool, outcome: IncidentOutcome, from: Timestamp, to: Timestamp)
        throws(StoreError) -> Int
    {
        try sql.prepared("""
            SELECT count(*) FROM incident
            WHERE is_test = ?1 AND outcome = ?2 AND closed_at >= ?3 AND closed_at < ?4
            """).first([.integer(isTest ? 1 : 0), .text(outcome.rawValue), .integer(from.millisecondsSince1970),
                        .integer(to.millisecondsSince1970)]) { $0.int(0) } ?? 0
    }

    public func countClosedTests(from: Timestamp, to: Timestamp) throws(StoreError) -> Int {
        var total = 0
        for outcome in IncidentOutcome.allCases {
            total += try countClosedIncidents(isTest: true, outcome: outcome, from: from, to: to)
        }
        return total
    }

    public func countQuejas(from: Timestamp, to: Timestamp) throws(StoreError) -> Int {
        try sql.prepared("SELECT count(*) FROM queja WHERE received_at >= ?1 AND received_at < ?2")
            .first([.integer(from.millisecondsSince1970), .integer(to.millisecondsSince1970)]) { $0.int(0) } ?? 0
    }

    public func forEachClosedIncident(from: Timestamp, to: Timestamp, _ body: (IncidentFact) -> Void)
        throws(StoreError)
    {
        let statement = try sql.prepared("""
            SELECT is_test, outcome, subcircuit_code, upc_code, taken_at - opened_at FROM incident
            WHERE closed_at >= ?1 AND closed_at < ?2 AND is_test <> 2
            """)
        try statement.forEach([.integer(from.millisecondsSince1970), .integer(to.millisecondsSince1970)]) { row in
            body(IncidentFact(isTest: row.bool(0), outcome: row.optionalText(1).flatMap(IncidentOutcome.init(rawValue:)),
                              subcircuit: row.optionalText(2), upc: row.text(3),
                              takeMilliseconds: row.optionalInt64(4)))
        }
    }

    public func quejaPlaces(from: Timestamp, to: Timestamp) throws(StoreError) -> [PlaceFact] {
        try sql.prepared("""
            SELECT subcircuit_code, upc_code FROM queja WHERE received_at >= ?1 AND received_at < ?2
            """).rows([.integer(from.millisecondsSince1970), .integer(to.millisecondsSince1970)]) { s in
            PlaceFact(subcircuit: s.optionalText(0), upc: s.optionalText(1))
        }
    }

    public func escalationPlaces(from: Timestamp, to: Timestamp) throws(StoreError) -> [PlaceFact] {
        try sql.prepared("""
            SELECT i.subcircuit_code, i.upc_code FROM incident_event e JOIN incident i ON i.id = e.incident_id
            WHERE e.kind = 'escalada' AND e.at >= ?1 AND e.at < ?2
            """).rows([.integer(from.millisecondsSince1970), .integer(to.millisecondsSince1970)]) { s in
            PlaceFact(subcircuit: s.optionalText(0), upc: s.optionalText(1))
        }
    }

    public func enrollmentStates(before at: Timestamp) throws(StoreError) -> [(place: PlaceFact, state: String)] {
        try sql.prepared("""
            SELECT e.subcircuit_code, e.upc_code, t.to_state FROM enrollment e
            JOIN enrollment_transition t ON t.id = (SELECT max(id) FROM enrollment_transition
                                                    WHERE enrollment_id = e.id AND at < ?1
                                                      AND to_state <> 'baja_solicitada')
            """).rows([.integer(at.millisecondsSince1970)]) { s in
            (PlaceFact(subcircuit: s.text(0), upc: s.text(1)), s.text(2))
        }
    }

    public func subcircuitZones() throws(StoreError) -> [String: String] {
        var zones: [String: String] = [:]
        for (code, zone) in try sql.prepared(
            "SELECT code, zone_code FROM territory_unit WHERE level = 'subcircuito' AND zone_code IS NOT NULL"
        ).rows({ s in (s.text(0), s.text(1)) }) {
            zones[code] = zone
        }
        return zones
    }

    public func unitNames() throws(StoreError) -> [String: String] {
        var names: [String: String] = [:]
        for (code, name) in try sql.prepared(
            "SELECT code, name FROM territory_unit UNION ALL SELECT code, name FROM upc"
        ).rows({ s in (s.text(0), s.text(1)) }) {
            names[code] = name
        }
        return names
    }

    public func firstRecordAt() throws(StoreError) -> Timestamp? {
        let incident = try sql.prepared("""
            SELECT closed_at FROM incident WHERE closed_at IS NOT NULL AND is_test <> 2 ORDER BY closed_at LIMIT 1
            """).first { $0.int64(0) }
        let queja = try sql.prepared("SELECT received_at FROM queja ORDER BY received_at LIMIT 1")
            .first { $0.int64(0) }
        return [incident, queja].compactMap { $0 }.min().map(Timestamp.init(millisecondsSince1970:))
    }

    // MARK: The imported series

    @discardableResult
    public func upsertPublishedMonths(_ months: [PublishedMonthRecord]) throws(StoreError) -> Int {
        let exists = try sql.prepared("SELECT 1 FROM published_month WHERE month = ?1")
        let upsert = try sql.prepared("""
            INSERT INTO published_month (month, quejas, atenciones, preferred, source, imported_at, imported_by)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (month) DO UPDATE SET quejas = excluded.quejas, atenciones = excluded.atenciones,
                preferred = excluded.preferred, source = excluded.source, imported_at = excluded.imported_at,
                imported_by = excluded.imported_by
            """)
        var replaced = 0
        for m in months {
            if try exists.first([.text(m.volume.month.description)], { _ in true }) == true { replaced += 1 }
            try upsert.run([.text(m.volume.month.description), .integer(Int64(m.volume.quejas)),
                            .integer(Int64(m.volume.atenciones)), .integer(m.preferred ? 1 : 0), .text(m.source),
                            .integer(m.importedAt.millisecondsSince1970), .text(m.importedBy)])
        }
        return replaced
    }

    public func publishedMonths() throws(StoreError) -> [PublishedMonthRecord] {
        try sql.prepared("""
            SELECT month, quejas, atenciones, preferred, source, imported_at, imported_by FROM published_month
            ORDER BY month
            """).rows { (s) throws(StoreError) -> PublishedMonthRecord in
            PublishedMonthRecord(volume: MonthlyVolume(month: try Self.month(s.text(0)), quejas: s.int(1),
                                                       atenciones: s.int(2)),
                                 preferred: s.bool(3), source: s.text(4),
                                 importedAt: Timestamp(millisecondsSince1970: s.int64(5)), importedBy: s.text(6))
        }
    }

    // MARK: Frozen months

    public func insertFrozenMonth(_ r: StatisticsRevisionRecord, figures: [StatisticsScope: MonthlyFigures])
        throws(StoreError)
    {
        let month = r.month.description
        try sql.prepared("""
            INSERT INTO statistics_revision (month, revision, at, actor, reason, counted_outcomes)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """).run([.text(month), .integer(Int64(r.revision)), .integer(r.at.millisecondsSince1970),
                      .text(r.actor), .text(r.reason), .text(r.countedOutcomes)])
        let insert = try sql.prepared("""
            INSERT INTO statistics_figure (month, revision, level, code, quejas, atenciones, pruebas, falsas_alarmas,
                                           escaladas, tomadas, mediana_toma_ms, enrolamientos)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """)
        for (scope, f) in figures.sorted(by: { $0.key < $1.key }) {
            try insert.run([.text(month), .integer(Int64(r.revision)), .text(scope.level.rawValue), .text(scope.code),
                            .integer(Int64(f.quejas)), .integer(Int64(f.atenciones)), .integer(Int64(f.pruebas)),
                            .integer(Int64(f.falsasAlarmas)), .integer(Int64(f.escaladas)),
                            .integer(Int64(f.tomadas)), f.medianaTomaMs.map { .integer($0) } ?? .null,
                            .text(Self.encodeEnrollments(f.enrolamientos))])
        }
    }

    public func statisticsRevisions(month: YearMonth?) throws(StoreError) -> [StatisticsRevisionRecord] {
        let map = { (s: any SQLRow) throws(StoreError) -> StatisticsRevisionRecord in
            StatisticsRevisionRecord(month: try Self.month(s.text(0)), revision: s.int(1),
                                     at: Timestamp(millisecondsSince1970: s.int64(2)), actor: s.text(3),
                                     reason: s.text(4), countedOutcomes: s.text(5))
        }
        let columns = "SELECT month, revision, at, actor, reason, counted_outcomes FROM statistics_revision"
        if let month {
            return try sql.prepared(columns + " WHERE month = ?1 ORDER BY revision")
                .rows([.text(month.description)], map)
        }
        return try sql.prepared(columns + " ORDER BY month, revision").rows(map)
    }

    public func latestRevisions() throws(StoreError) -> [YearMonth: Int] {
        var out: [YearMonth: Int] = [:]
        for (month, revision) in try sql.prepared(
            "SELECT month, max(revision) FROM statistics_revision GROUP BY month"
        ).rows({ (s) throws(StoreError) in (try Self.month(s.text(0)), s.int(1)) }) {
            out[month] = revision
        }
        return out
    }

    public func frozenFigures(month: YearMonth, revision: Int, level: StatisticsLevel?) throws(StoreError)
        -> [StatisticsScope: MonthlyFigures]
    {
        let columns = """
            SELECT level, code, quejas, atenciones, pruebas, falsas_alarmas, escaladas, tomadas, mediana_toma_ms,
                   enrolamientos FROM statistics_figure WHERE month = ?1 AND revision = ?2
            """
        let rows: [(StatisticsScope, MonthlyFigures)]
        if let level {
            rows = try sql.prepared(columns + " AND level = ?3")
                .rows([.text(month.description), .integer(Int64(revision)), .text(level.rawValue)], Self.figureRow)
        } else {
            rows = try sql.prepared(columns).rows([.text(month.description), .integer(Int64(revision))],
                                                        Self.figureRow)
        }
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }

    public func frozenNational() throws(StoreError) -> [YearMonth: (figures: MonthlyFigures, revision: Int)] {
        var out: [YearMonth: (figures: MonthlyFigures, revision: Int)] = [:]
        for (month, revision, figures) in try sql.prepared("""
            SELECT f.month, f.revision, f.level, f.code, f.quejas, f.atenciones, f.pruebas, f.falsas_alarmas,
                   f.escaladas, f.tomadas, f.mediana_toma_ms, f.enrolamientos
            FROM statistics_figure f
            JOIN (SELECT month, max(revision) AS revision FROM statistics_revision GROUP BY month) r
              ON r.month = f.month AND r.revision = f.revision
            WHERE f.level = 'nacional'
            """).rows({ (s) throws(StoreError) in
                (try Self.month(s.text(0)), s.int(1), try Self.figures(s, from: 4))
            }) {
            out[month] = (figures, revision)
        }
        return out
    }

    // MARK: Rows

    private static func month(_ text: String) throws(StoreError) -> YearMonth {
        guard let month = YearMonth(text) else {
            throw StoreError(kind: .invalidData, message: "statistics month «\(text)» is not YYYY-MM")
        }
        return month
    }

    private static func figureRow(_ s: any SQLRow) throws(StoreError) -> (StatisticsScope, MonthlyFigures) {
        guard let level = StatisticsLevel(rawValue: s.text(0)) else {
            throw StoreError(kind: .invalidData, message: "statistics_figure level \(s.text(0))")
        }
        return (StatisticsScope(level: level, code: s.text(1)), try figures(s, from: 2))
    }

    /// Columns `from…from+7`: quejas, atenciones, pruebas, falsas_alarmas, escaladas, tomadas, mediana_toma_ms,
    /// enrolamientos.
    private static func figures(_ s: any SQLRow, from c: Int32) throws(StoreError) -> MonthlyFigures {
        var f = MonthlyFigures(quejas: s.int(c), atenciones: s.int(c + 1))
        f.pruebas = s.int(c + 2)
        f.falsasAlarmas = s.int(c + 3)
        f.escaladas = s.int(c + 4)
        f.tomadas = s.int(c + 5)
        f.medianaTomaMs = s.optionalInt64(c + 6)
        f.enrolamientos = try decodeEnrollments(s.text(c + 7))
        return f
    }

    /// `activa=3,ingresada=2` (sorted by state).
    static func encodeEnrollments(_ counts: [String: Int]) -> String {
        counts.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: ",")
    }

    static func decodeEnrollments(_ text: String) throws(StoreError) -> [String: Int] {
        var out: [String: Int] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let n = Int(parts[1]) else {
                throw StoreError(kind: .invalidData, message: "statistics_figure enrolamientos «\(text)»")
            }
            out[String(parts[0])] = n
        }
        return out
    }
}
