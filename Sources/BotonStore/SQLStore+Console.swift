public import BotonRepository
public import BotonCore

/// The operator console's reads and writes: alerts, their events (the feed), escalation, the central's outbox,
/// false alarms and suspensions.
extension SQLStore {
    static var incidentColumns: String { """
        i.id, i.line_e164, i.device_id, i.is_test, i.state, i.outcome, i.upc_code, i.subcircuit_code,
        i.location_source, i.line_suspended, i.opened_at, i.taken_at, i.closed_at, i.cancelled_at,
        i.escalation_level, i.taken_by, i.dispatched_at, i.unit,
        i.site_account, i.site_event_code, i.site_event_meaning,
        (SELECT name FROM dc09_site WHERE account = i.site_account),
        (SELECT address FROM dc09_site WHERE account = i.site_account),
        (SELECT contact_e164 FROM dc09_site WHERE account = i.site_account),
        CASE WHEN i.escalation_level >= 3 THEN coalesce((
            SELECT CASE WHEN d.delivered_at IS NOT NULL THEN 'entregada' WHEN d.attempts > 0 THEN 'fallando'
                        ELSE 'pendiente' END
            FROM central_delivery d WHERE d.incident_id = i.id ORDER BY d.id DESC LIMIT 1), 'sin_central') END,
        i.is_silent, i.battery_percent
        """ }
    static var eventColumns: String { "e.id, e.incident_id, e.kind, e.from_state, e.to_state, e.actor, e.at, e.detail, e.note" }

    static func incidentRecord(_ s: any SQLRow, from c: Int32 = 0) throws(StoreError) -> IncidentRecord {
        func time(_ i: Int32) -> Timestamp? { s.optionalInt64(c + i).map { Timestamp(millisecondsSince1970: $0) } }
        return IncidentRecord(
            // `is_test` is the alert's purpose: 0 an emergency, 1 a test, 2 a simulacro (Schema.v12).
            id: s.int64(c), lineE164: s.text(c + 1), deviceID: s.optionalText(c + 2), isTest: s.int(c + 3) == 1,
            state: try s.value(c + 4, as: IncidentState.self),
            outcome: try s.optionalValue(c + 5, as: IncidentOutcome.self), upcCode: s.text(c + 6),
            subcircuitCode: s.optionalText(c + 7), locationSource: s.text(c + 8), lineSuspended: s.bool(c + 9),
            openedAt: Timestamp(millisecondsSince1970: s.int64(c + 10)), takenAt: time(11), closedAt: time(12),
            cancelledAt: time(13), escalationLevel: s.int(c + 14), takenBy: s.optionalText(c + 15),
            dispatchedAt: time(16), unit: s.optionalText(c + 17), site: site(s, from: c + 18),
            // Level 3 without an outbox row: it escalated while no central was configured (the row is written in
            // the escalation's own transaction when one is).
            central: try s.optionalValue(c + 24, as: CentralDeliveryState.self), simulated: s.int(c + 3) == 2,
            isSilent: s.bool(c + 25), batteryPercent: s.optionalInt64(c + 26).map { Int($0) })
    }

    /// The site an alert came from (DC-09), with the event that opened it.
    private static func site(_ s: any SQLRow, from c: Int32) -> IncidentSite? {
        guard let account = s.optionalText(c) else { return nil }
        return IncidentSite(account: account, name: s.optionalText(c + 3) ?? "", address: s.optionalText(c + 4) ?? "",
                            contactE164: s.optionalText(c + 5) ?? "", eventCode: s.optionalText(c + 1) ?? "",
                            eventMeaning: s.optionalText(c + 2) ?? "")
    }

    static func eventRecord(_ s: any SQLRow, from c: Int32 = 0) throws(StoreError) -> IncidentEventRecord {
        IncidentEventRecord(id: s.int64(c), incidentID: s.int64(c + 1), kind: s.text(c + 2),
                            fromState: try s.optionalValue(c + 3, as: IncidentState.self),
                            toState: try s.optionalValue(c + 4, as: IncidentState.self), actor: s.text(c + 5),
                            at: Timestamp(millisecondsSince1970: s.int64(c + 6)), detail: s.optionalText(c + 7),
                            note: s.optionalText(c + 8))
    }

    // MARK: Alerts

    public func incident(id: Int64) throws(StoreError) -> IncidentRecord? {
        try sql.prepared("SELECT \(Self.incidentColumns) FROM incident i WHERE i.id = ?1")
            .first([.integer(id)]) { (s) throws(StoreError) in try Self.incidentRecord(s) }
    }

    /// Alerts not yet closed, and those closed since `closedSince`, newest first.
    public func currentIncidents(closedSince: Timestamp, limit: Int) throws(StoreError) -> [IncidentRecord] {
        try sql.prepared("""
            SELECT \(Self.incidentColumns) FROM incident i
            WHERE i.state IN ('recibida','notificada','tomada','despachada') OR i.closed_at >= ?1
            ORDER BY i.opened_at DESC LIMIT ?2
            """).rows([.integer(closedSince.millisecondsSince1970), .integer(Int64(limit))]) { (s) throws(StoreError) in
            try Self.incidentRecord(s)
        }
    }

    /// Writes the mutable columns of an alert.
    public func updateIncident(_ r: IncidentRecord) throws(StoreError) {
        func time(_ t: Timestamp?) -> SQLValue { t.map { .integer($0.millisecondsSince1970) } ?? .null }
        try sql.prepared("""
            UPDATE incident SET state = ?2, outcome = ?3, taken_at = ?4, closed_at = ?5, escalation_level = ?6,
                taken_by = ?7, dispatched_at = ?8, unit = ?9 WHERE id = ?1
            """).run([.integer(r.id), .text(r.state.rawValue), r.outcome.map { .text($0.rawValue) } ?? .null,
                      time(r.takenAt),
                      time(r.closedAt), .integer(Int64(r.escalationLevel)), r.takenBy.map { .text($0) } ?? .null,
                      time(r.dispatchedAt), r.unit.map { .text($0) } ?? .null])
    }

    @discardableResult
    public func appendIncidentEvent(_ e: IncidentEventRecord) throws(StoreError) -> Int64 {
        try sql.orderEventAppends()
        return try sql.prepared("""
            INSERT INTO incident_event (incident_id, upc_code, kind, from_state, to_state, actor, at, detail, note)
            VALUES (?1, (SELECT upc_code FROM incident WHERE id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            RETURNING id
            """).first([.integer(e.incidentID), .text(e.kind), e.fromState.map { .text($0.rawValue) } ?? .null,
                      e.toState.map { .text($0.rawValue) } ?? .null, .text(e.actor),
                      .integer(e.at.millisecondsSince1970),
                      e.detail.map { .text($0) } ?? .null, e.note.map { .text($0) } ?? .null]) { $0.int64(0) } ?? 0
    }

    public func incidentEvents(incident: Int64) throws(StoreError) -> [IncidentEventRecord] {
        try sql.prepared("SELECT \(Self.eventColumns) FROM incident_event e WHERE e.incident_id = ?1 ORDER BY e.id")
            .rows([.integer(incident)]) { (s) throws(StoreError) in try Self.eventRecord(s) }
    }

    public func incidentPositions(incident: Int64) throws(StoreError) -> [IncidentPositionRecord] {
        try sql.prepared("""
            SELECT latitude, longitude, accuracy_m, fix_age_s, received_at, battery_percent FROM incident_position
            WHERE incident_id = ?1 ORDER BY id
            """).rows([.integer(incident)]) { (s) throws(StoreError) in
            IncidentPositionRecord(latitude: s.double(0), longitude: s.double(1),
                                   accuracyMeters: s.optionalInt64(2).map { Int($0) },
                                   fixAgeSeconds: s.optionalInt64(3).map { Int($0) },
                                   receivedAt: Timestamp(millisecondsSince1970: s.int64(4)),
                                   batteryPercent: s.optionalInt64(5).map { Int($0) })
        }
    }

    // MARK: Feed

    /// The id of the newest event (0 when there is none).
    public func latestIncidentEventID() throws(StoreError) -> Int64 {
        try sql.prepared("SELECT coalesce(max(id), 0) FROM incident_event").first { $0.int64(0) } ?? 0
    }

    /// Events after `id` (at most `limit`, oldest first) with their alert as it is now, optionally only those at or
    /// after `since`.
    public func feed(after id: Int64, since: Timestamp? = nil, limit: Int) throws(StoreError)
        -> [(event: IncidentEventRecord, incident: IncidentRecord)]
    {
        try sql.prepared("""
            SELECT \(Self.eventColumns), \(Self.incidentColumns)
            FROM incident_event e JOIN incident i ON i.id = e.incident_id
            WHERE e.id > ?1 AND e.at >= ?2 ORDER BY e.id LIMIT ?3
            """).rows([.integer(id), .integer(since?.millisecondsSince1970 ?? Int64.min), .integer(Int64(limit))]) {
            (s) throws(StoreError) in
            (try Self.eventRecord(s), try Self.incidentRecord(s, from: 9))
        }
    }

    /// A console's replay, one slice of its scope: events with ids in (`after`, `through`] of the alerts placed at
    /// the slice's UPC, at or after `since`, oldest first. A UPC's slice is one range of `incident_event_upc`
    /// (`upc_code`, `id`) read in order, so a page costs its own rows (and, for a neighbour's escalated alerts, the
    /// neighbour's rows it skips), never the rest of the country's window; every UPC's is a range of the key.
    public func feed(_ slice: FeedSlice, after: Int64, through: Int64, since: Timestamp, limit: Int)
        throws(StoreError) -> [(event: IncidentEventRecord, incident: IncidentRecord)]
    {
        var values: [SQLValue] = [.integer(after), .integer(through), .integer(since.millisecondsSince1970),
                                  .integer(Int64(max(limit, 0))), .integer(slice.escalatedOnly ? 1 : 0)]
        // ?6 only where the query names it: PostgreSQL cannot type a parameter that nothing uses.
        if let upc = slice.upc { values.append(.text(upc)) }
        let query = slice.upc == nil ? """
            SELECT \(Self.eventColumns), \(Self.incidentColumns)
            FROM incident_event e JOIN incident i ON i.id = e.incident_id
            WHERE e.id > ?1 AND e.id <= ?2 AND e.at >= ?3 AND (?5 = 0 OR i.escalation_level >= 1)
            ORDER BY e.id LIMIT ?4
            """ : """
            SELECT \(Self.eventColumns), \(Self.incidentColumns)
            FROM incident_event e \(sql.dialect.indexedBy("incident_event_upc")) JOIN incident i ON i.id = e.incident_id
            WHERE e.upc_code = ?6 AND e.id > ?1 AND e.id <= ?2 AND e.at >= ?3 AND (?5 = 0 OR i.escalation_level >= 1)
            ORDER BY e.id LIMIT ?4
            """
        return try sql.prepared(query).rows(values) { (s) throws(StoreError) in
            (try Self.eventRecord(s), try Self.incidentRecord(s, from: 9))
        }
    }

    /// The newest event of every alert placed at the slice's UPC that is open or closed since `closedSince`, when
    /// its id is in (`after`, `through`], oldest first: what a console that connects without `Last-Event-ID`
    /// starts from. The alerts come from `incident_upc_state` (open ones) and `incident_closed` (recent ones).
    public func feedSnapshot(_ slice: FeedSlice, closedSince: Timestamp, after: Int64, through: Int64, limit: Int)
        throws(StoreError) -> [(event: IncidentEventRecord, incident: IncidentRecord)]
    {
        var values: [SQLValue] = [.integer(closedSince.millisecondsSince1970), .integer(after), .integer(through),
                                  .integer(Int64(max(limit, 0))), .integer(slice.escalatedOnly ? 1 : 0)]
        // ?6 only where the query names it: PostgreSQL cannot type a parameter that nothing uses.
        if let upc = slice.upc { values.append(.text(upc)) }
        let current = slice.upc == nil ? """
            SELECT id FROM incident WHERE state IN ('recibida','notificada','tomada','despachada')
            UNION SELECT id FROM incident WHERE closed_at >= ?1
            """ : """
            SELECT id FROM incident WHERE upc_code = ?6 AND state IN ('recibida','notificada','tomada','despachada')
            UNION SELECT id FROM incident WHERE closed_at >= ?1 AND upc_code = ?6
            """
        return try sql.prepared("""
            SELECT \(Self.eventColumns), \(Self.incidentColumns)
            FROM incident i JOIN incident_event e
                ON e.id = (SELECT max(id) FROM incident_event WHERE incident_id = i.id)
            WHERE i.id IN (\(current)) AND (?5 = 0 OR i.escalation_level >= 1) AND e.id > ?2 AND e.id <= ?3
            ORDER BY e.id LIMIT ?4
            """).rows(values) { (s) throws(StoreError) in
            (try Self.eventRecord(s), try Self.incidentRecord(s, from: 9))
        }
    }

    // MARK: Escalation

    /// Real alerts still waiting (recibida or notificada) whose next escalation level is due at `now`: level
    /// n falls due `n × slaMs` after the alert was opened.
    public func incidentsDueForEscalation(now: Timestamp, slaMs: Int64, maxLevel: Int, limit: Int) throws(StoreError)
        -> [IncidentRecord]
    {
        try sql.prepared("""
            SELECT \(Self.incidentColumns) FROM incident i
            WHERE i.state IN ('recibida','notificada') AND i.is_test = 0 AND i.escalation_level < ?3
              AND i.opened_at + (i.escalation_level + 1) * ?2 <= ?1
            ORDER BY i.opened_at LIMIT ?4
            """).rows([.integer(now.millisecondsSince1970), .integer(slaMs), .integer(Int64(maxLevel)),
                      .integer(Int64(max(limit, 0)))]) { (s) throws(StoreError) in
            try Self.incidentRecord(s)
        }
    }

    /// The earliest instant at which a waiting real alert falls due for its next level, if any.
    public func nextEscalationDue(slaMs: Int64, maxLevel: Int) throws(StoreError) -> Timestamp? {
        try sql.prepared("""
            SELECT min(opened_at + (escalation_level + 1) * ?1) FROM incident
            WHERE state IN ('recibida','notificada') AND is_test = 0 AND escalation_level < ?2
            """).first([.integer(slaMs), .integer(Int64(maxLevel))]) { (s) throws(StoreError) in
            s.optionalInt64(0).map { Timestamp(millisecondsSince1970: $0) }
        } ?? nil
    }

    public func enqueueCentralDelivery(incident: Int64, payload: String, at: Timestamp) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO central_delivery (incident_id, payload, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?3)
            """).run([.integer(incident), .text(payload), .integer(at.millisecondsSince1970)])
    }

    public func dueCentralDeliveries(now: Timestamp, limit: Int) throws(StoreError) -> [CentralDeliveryRecord] {
        try sql.prepared("""
            SELECT id, incident_id, payload, attempts, next_attempt_at FROM central_delivery
            WHERE delivered_at IS NULL AND next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT ?2
            """).rows([.integer(now.millisecondsSince1970), .integer(Int64(limit))]) { (s) throws(StoreError) in
            CentralDeliveryRecord(id: s.int64(0), incidentID: s.int64(1), payload: s.text(2), attempts: s.int(3),
                                  nextAttemptAt: Timestamp(millisecondsSince1970: s.int64(4)))
        }
    }

    public func nextCentralAttempt() throws(StoreError) -> Timestamp? {
        try sql.prepared("SELECT min(next_attempt_at) FROM central_delivery WHERE delivered_at IS NULL")
            .first { s in s.optionalInt64(0).map { Timestamp(millisecondsSince1970: $0) } } ?? nil
    }

    public func centralOutbox() throws(StoreError) -> CentralOutbox {
        try sql.prepared("""
            SELECT count(*), coalesce(sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) FROM central_delivery
            WHERE delivered_at IS NULL
            """).first { s in CentralOutbox(pending: s.int(0), failing: s.int(1)) } ?? CentralOutbox(pending: 0, failing: 0)
    }

    public func markCentralDelivered(id: Int64, attempts: Int, at: Timestamp) throws(StoreError) {
        try sql.prepared("UPDATE central_delivery SET delivered_at = ?2, attempts = ?3, last_error = NULL WHERE id = ?1")
            .run([.integer(id), .integer(at.millisecondsSince1970), .integer(Int64(attempts))])
    }

    public func markCentralFailed(id: Int64, attempts: Int, next: Timestamp, error: String) throws(StoreError) {
        try sql.prepared("""
            UPDATE central_delivery SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1
            """).run([.integer(id), .integer(Int64(attempts)), .integer(next.millisecondsSince1970), .text(error)])
    }

    // MARK: False alarms and suspension

    public func lineSuspension(_ e164: String) throws(StoreError) -> LineSuspension? {
        try sql.prepared("SELECT suspended_at, suspension_lifted_at FROM phone_line WHERE e164 = ?1")
            .first([.text(e164)]) { (s) throws(StoreError) in
                LineSuspension(suspendedAt: s.optionalInt64(0).map { Timestamp(millisecondsSince1970: $0) },
                               liftedAt: s.optionalInt64(1).map { Timestamp(millisecondsSince1970: $0) })
            }
    }

    /// Whether the line is suspended now (nil: no such line).
    public func lineIsSuspended(e164: String) throws(StoreError) -> Bool? {
        try sql.prepared("SELECT suspended_at IS NOT NULL FROM phone_line WHERE e164 = ?1")
            .first([.text(e164)]) { $0.bool(0) }
    }

    /// The line's registered home (subcircuito and position), for lines provisioned without an enrollment.
    public func lineHome(e164: String) throws(StoreError) -> (subcircuit: String?, latitude: Double?, longitude: Double?)? {
        try sql.prepared("SELECT home_subcircuit, home_latitude, home_longitude FROM phone_line WHERE e164 = ?1")
            .first([.text(e164)]) { s in (s.optionalText(0), s.optionalDouble(1), s.optionalDouble(2)) }
    }

    /// Real alerts of the line closed as `falsa_alarma` at or after `since`. The unary `+` keeps SQLite on the
    /// line's index (a few rows) rather than the statistics index (every false alarm of the country in the window).
    public func falseAlarms(line: String, since: Timestamp) throws(StoreError) -> Int {
        let d = sql.dialect
        return try sql.prepared("""
            SELECT count(*) FROM incident WHERE line_e164 = ?1 AND \(d.unindexed("outcome")) = 'falsa_alarma'
              AND \(d.unindexed("is_test")) = 0 AND \(d.unindexed("closed_at")) >= ?2
            """).first([.text(line), .integer(since.millisecondsSince1970)]) { $0.int(0) } ?? 0
    }

    public func suspendLine(_ e164: String, at: Timestamp) throws(StoreError) {
        try sql.prepared("UPDATE phone_line SET suspended_at = ?2 WHERE e164 = ?1 AND suspended_at IS NULL")
            .run([.text(e164), .integer(at.millisecondsSince1970)])
    }

    public func liftLineSuspension(_ e164: String, at: Timestamp) throws(StoreError) {
        try sql.prepared("UPDATE phone_line SET suspended_at = NULL, suspension_lifted_at = ?2 WHERE e164 = ?1")
            .run([.text(e164), .integer(at.millisecondsSince1970)])
    }

    /// The line's request in `state` (the newest), if any.
    public func enrollment(line: String, state: EnrollmentState) throws(StoreError) -> EnrollmentRecord? {
        try sql.prepared("""
            SELECT \(Self.enrollmentColumns) FROM enrollment WHERE line_e164 = ?1 AND state = ?2
            ORDER BY id DESC LIMIT 1
            """).first([.text(line), .text(state.rawValue)], Self.enrollmentRecord)
    }

    /// The line's newest request that got as far as a credential (what the console shows about the citizen).
    public func latestRegisteredEnrollment(line: String) throws(StoreError) -> EnrollmentRecord? {
        try sql.prepared("""
            SELECT \(Self.enrollmentColumns) FROM enrollment WHERE line_e164 = ?1
            ORDER BY (state IN ('activa','suspendida','baja_solicitada','prueba_pendiente','registrada')) DESC, id DESC LIMIT 1
            """).first([.text(line)], Self.enrollmentRecord)
    }
}

extension SQLStore {
    public func openIncidentCount() throws(StoreError) -> Int {
        try sql.prepared("SELECT count(*) FROM incident WHERE state <> 'cerrada' AND is_test <> 2").first { $0.int(0) } ?? 0
    }
}
