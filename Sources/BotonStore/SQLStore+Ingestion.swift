public import BotonRepository
public import BotonCore

extension SQLStore {
    public func deviceCredential(id: String) throws(StoreError) -> DeviceCredential? {
        let row = try sql.prepared("""
            SELECT d.kind, d.secret, d.revoked_at IS NOT NULL, d.line_e164
            FROM device d WHERE d.id = ?1
            """).first([.text(id)]) { s in (s.text(0), s.blob(1), s.bool(2), s.text(3)) }
        guard let (kind, secret, revoked, e164) = row, let line = try registeredLine(e164: e164) else { return nil }
        return DeviceCredential(deviceID: id, kind: kind, secret: secret, line: line, revoked: revoked)
    }

    public func gatewayCredential(id: String) throws(StoreError) -> GatewayCredential? {
        try sql.prepared("SELECT name, secret, revoked_at IS NOT NULL, supervision_s FROM gateway WHERE id = ?1")
            .first([.text(id)]) { s in
                GatewayCredential(gatewayID: id, name: s.text(0), secret: s.blob(1), revoked: s.bool(2),
                                  supervisionSeconds: s.optionalInt64(3).map { Int($0) })
            }
    }

    public func registeredLine(e164: String) throws(StoreError) -> RegisteredLine? {
        try sql.prepared("""
            SELECT kind, home_subcircuit, home_latitude, home_longitude, suspended_at IS NOT NULL,
                EXISTS (SELECT 1 FROM device WHERE line_e164 = ?1 AND kind = 'linea_fija' AND revoked_at IS NULL),
                simulated
            FROM phone_line WHERE e164 = ?1
            """).first([.text(e164)]) { s in
            RegisteredLine(e164: e164, kind: s.text(0), homeSubcircuit: s.optionalText(1),
                           homeLatitude: s.optionalDouble(2), homeLongitude: s.optionalDouble(3),
                           suspended: s.bool(4), gatewayLinked: s.bool(5), simulated: s.bool(6))
        }
    }

    public func receipt(sender: [UInt8], sequence: UInt64) throws(StoreError) -> FrameReceipt? {
        try sql.prepared("""
            SELECT fingerprint, status, incident_id, upc_code FROM frame_receipt WHERE sender_id = ?1 AND sequence = ?2
            """).first([.blob(sender), .integer(Int64(bitPattern: sequence))]) { s in
            FrameReceipt(fingerprint: s.blob(0), status: s.text(1), incidentID: s.optionalInt64(2),
                         upcCode: s.optionalText(3))
        }
    }

    public func insertReceipt(sender: [UInt8], sequence: UInt64, kind: String, receipt: FrameReceipt,
                              at: Timestamp) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO frame_receipt (sender_id, sequence, fingerprint, kind, status, incident_id, upc_code,
                received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """).send([.blob(sender), .integer(Int64(bitPattern: sequence)), .blob(receipt.fingerprint), .text(kind),
                      .text(receipt.status), receipt.incidentID.map { .integer($0) } ?? .null,
                      receipt.upcCode.map { .text($0) } ?? .null, .integer(at.millisecondsSince1970)])
    }

    /// Deletes up to `limit` receipts older than `before` (oldest first) and returns how many went. Receipts only
    /// need to outlive retransmissions; the incident keeps what happened.
    @discardableResult
    public func pruneReceipts(before: Timestamp, limit: Int) throws(StoreError) -> Int {
        try sql.prepared("""
            DELETE FROM frame_receipt WHERE (sender_id, sequence) IN (
                SELECT sender_id, sequence FROM frame_receipt WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)
            """).run([.integer(before.millisecondsSince1970), .integer(Int64(limit))])
        return sql.changes
    }

    public func openIncident(line: String, isTest: Bool, since: Timestamp) throws(StoreError) -> OpenIncident? {
        try sql.prepared("""
            SELECT id, upc_code, opened_at, state, unit, is_silent, battery_percent FROM incident
            WHERE line_e164 = ?1 AND is_test IN (?2, 2) AND state <> 'cerrada' AND opened_at >= ?3
            ORDER BY opened_at DESC LIMIT 1
            """).first([.text(line), .integer(isTest ? 1 : 0), .integer(since.millisecondsSince1970)]) {
            (s) throws(StoreError) in try Self.openIncident(s)
        }
    }

    public func latestIncident(line: String, since: Timestamp) throws(StoreError) -> OpenIncident? {
        try sql.prepared("""
            SELECT id, upc_code, opened_at, state, unit, is_silent, battery_percent FROM incident
            WHERE line_e164 = ?1 AND is_test IN (0, 2) AND opened_at >= ?2
            ORDER BY opened_at DESC LIMIT 1
            """).first([.text(line), .integer(since.millisecondsSince1970)]) {
            (s) throws(StoreError) in try Self.openIncident(s)
        }
    }

    private static func openIncident(_ s: any SQLRow) throws(StoreError) -> OpenIncident {
        OpenIncident(id: s.int64(0), upcCode: s.text(1), openedAt: Timestamp(millisecondsSince1970: s.int64(2)),
                     state: try s.value(3, as: IncidentState.self), unit: s.optionalText(4), isSilent: s.bool(5),
                     batteryPercent: s.optionalInt64(6).map { Int($0) })
    }

    public func updateOpenIncident(_ incident: Int64, silent: Bool, batteryPercent: Int?) throws(StoreError) {
        try sql.prepared("""
            UPDATE incident SET is_silent = CASE WHEN ?2 = 1 THEN 1 ELSE is_silent END,
                battery_percent = coalesce(?3, battery_percent) WHERE id = ?1
            """).send([.integer(incident), .integer(silent ? 1 : 0),
                      batteryPercent.map { .integer(Int64($0)) } ?? .null])
    }

    public func createIncident(_ i: NewIncident) throws(StoreError) -> Int64 {
        try insertIncident(i, readingSuspension: false).id
    }

    public func createIncidentReadingSuspension(_ i: NewIncident) throws(StoreError) -> (id: Int64, lineSuspended: Bool) {
        try insertIncident(i, readingSuspension: true)
    }

    private func insertIncident(_ i: NewIncident, readingSuspension: Bool) throws(StoreError)
        -> (id: Int64, lineSuspended: Bool)
    {
        let suspended = readingSuspension
            ? "coalesce((SELECT CASE WHEN suspended_at IS NULL THEN 0 ELSE 1 END FROM phone_line WHERE e164 = ?1), ?7)"
            : "?7"
        let (id, lineSuspended) = try sql.prepared("""
            INSERT INTO incident (line_e164, device_id, is_test, state, upc_code, subcircuit_code, location_source,
                line_suspended, opened_at, is_silent, battery_percent)
            VALUES (?1, ?2, ?3, 'recibida', ?4, ?5, ?6, \(suspended), ?8, ?9, ?10)
            RETURNING id, line_suspended
            """).first([.text(i.lineE164), i.deviceID.map { .text($0) } ?? .null, .integer(i.simulated ? 2 : i.isTest ? 1 : 0),
                      .text(i.upcCode), i.subcircuitCode.map { .text($0) } ?? .null, .text(i.locationSource),
                      .integer(i.lineSuspended ? 1 : 0), .integer(i.openedAt.millisecondsSince1970),
                      .integer(i.isSilent ? 1 : 0), i.batteryPercent.map { .integer(Int64($0)) } ?? .null]) {
            ($0.int64(0), $0.bool(1)) } ?? (0, i.lineSuspended)
        try sql.orderEventAppends()
        try sql.prepared("""
            INSERT INTO incident_event (incident_id, upc_code, kind, from_state, to_state, actor, at)
            VALUES (?1, ?4, 'transicion', NULL, 'recibida', ?2, ?3)
            """).send([.integer(id), .text(i.author), .integer(i.openedAt.millisecondsSince1970), .text(i.upcCode)])
        return (id, lineSuspended)
    }

    public func addPosition(incident: Int64, _ p: IncidentPosition, at: Timestamp, author: String)
        throws(StoreError)
    {
        try sql.prepared("""
            INSERT INTO incident_position (incident_id, latitude, longitude, accuracy_m, fix_age_s, received_at,
                battery_percent)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """).send([.integer(incident), .real(p.latitude), .real(p.longitude),
                      p.accuracyMeters.map { .integer(Int64($0)) } ?? .null,
                      p.fixAgeSeconds.map { .integer(Int64($0)) } ?? .null, .integer(at.millisecondsSince1970),
                      p.batteryPercent.map { .integer(Int64($0)) } ?? .null])
        try sql.orderEventAppends()
        try sql.prepared("""
            INSERT INTO incident_event (incident_id, upc_code, kind, actor, at, detail)
            VALUES (?1, (SELECT upc_code FROM incident WHERE id = ?1), 'posicion', ?2, ?3, ?4)
            """).send([.integer(incident), .text(author), .integer(at.millisecondsSince1970),
                      .text("\(p.latitude),\(p.longitude)")])
    }

    public func recordCancellation(incident: Int64, at: Timestamp, author: String) throws(StoreError) {
        try sql.prepared("UPDATE incident SET cancelled_at = ?2 WHERE id = ?1 AND cancelled_at IS NULL")
            .send([.integer(incident), .integer(at.millisecondsSince1970)])
        try sql.orderEventAppends()
        try sql.prepared("""
            INSERT INTO incident_event (incident_id, upc_code, kind, actor, at)
            VALUES (?1, (SELECT upc_code FROM incident WHERE id = ?1), 'cancelacion', ?2, ?3)
            """).send([.integer(incident), .text(author), .integer(at.millisecondsSince1970)])
    }
}

extension SQLStore {
    public func provisionDevice(id: String, kind: String, secret: [UInt8], line: RegisteredLine, at: Timestamp)
        throws(StoreError)
    {
        try sql.inTransaction { () throws(StoreError) in
            _ = try insertDevice(id: id, kind: kind, secret: secret, line: line, at: at)
        }
    }

    /// Several devices in one transaction (the load generator provisions thousands). A simulated line never takes
    /// over a real one: such a device is skipped and its line returned.
    @discardableResult
    public func provisionDevices(_ devices: [(id: String, kind: String, secret: [UInt8], line: RegisteredLine)],
                                 at: Timestamp) throws(StoreError) -> Set<String>
    {
        try sql.inTransaction { () throws(StoreError) -> Set<String> in
            var refused: Set<String> = []
            for device in devices where !(try insertDevice(id: device.id, kind: device.kind, secret: device.secret,
                                                           line: device.line, at: at)) {
                refused.insert(device.line.e164)
            }
            return refused
        }
    }

    /// Registers the line (or updates its address) and issues the device; false when the line is a real one and
    /// the device a simulated one's (nothing written).
    private func insertDevice(id: String, kind: String, secret: [UInt8], line: RegisteredLine, at: Timestamp)
        throws(StoreError) -> Bool
    {
        try sql.prepared("""
            INSERT INTO phone_line (e164, kind, home_subcircuit, home_latitude, home_longitude, created_at, simulated)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (e164) DO UPDATE SET kind = excluded.kind, home_subcircuit = excluded.home_subcircuit,
                home_latitude = excluded.home_latitude, home_longitude = excluded.home_longitude
            WHERE phone_line.simulated = excluded.simulated
            """).run([.text(line.e164), .text(line.kind), line.homeSubcircuit.map { .text($0) } ?? .null,
                      line.homeLatitude.map { .real($0) } ?? .null, line.homeLongitude.map { .real($0) } ?? .null,
                      .integer(at.millisecondsSince1970), .integer(line.simulated ? 1 : 0)])
        if sql.changes == 0 {
            // A real line with a simulated device, or the other way round: a real line is never a load test's,
            // and provisioning a real device on a simulated line must not leave the line counted as simulated.
            guard !line.simulated else { return false }
            throw StoreError(kind: .invalidData, message: "line \(line.e164) belongs to the load generator "
                                + "(boton alert load --cleanup removes it)")
        }
        try sql.prepared("""
            INSERT INTO device (id, kind, line_e164, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
            """).run([.text(id), .text(kind), .text(line.e164), .blob(secret), .integer(at.millisecondsSince1970)])
        return true
    }

    public func purgeSimulation(limit: Int) throws(StoreError) -> SimulationPurge {
        try sql.inTransaction { () throws(StoreError) -> SimulationPurge in
            // The alert holding the table's newest event stays (SQLite would give that event's id again: see
            // Schema.v12); it goes in a later purge, once anything newer was recorded.
            let keep = try sql.prepared("""
                SELECT incident_id FROM incident_event WHERE id = (SELECT max(id) FROM incident_event)
                """).first { $0.int64(0) } ?? 0
            // Alerts first, `limit` at a time (the newest id of the batch bounds every statement's subquery, which
            // reads the partial index of simulated alerts only).
            let last = try sql.prepared("""
                SELECT max(id) FROM (SELECT id FROM incident WHERE is_test = 2 AND id <> ?2 ORDER BY id LIMIT ?1) b
                """).first([.integer(Int64(max(limit, 1))), .integer(keep)]) { $0.optionalInt64(0) } ?? nil
            if let last {
                let batch = "SELECT id FROM incident WHERE is_test = 2 AND id <= ?1 AND id <> ?2"
                let bounds: [SQLValue] = [.integer(last), .integer(keep)]
                for table in ["frame_receipt", "incident_position", "incident_event", "central_delivery"] {
                    try sql.prepared("DELETE FROM \(table) WHERE incident_id IN (\(batch))").run(bounds)
                }
                try sql.prepared("DELETE FROM incident WHERE is_test = 2 AND id <= ?1 AND id <> ?2").run(bounds)
                return SimulationPurge(alerts: sql.changes, lines: 0, kept: 0, finished: false)
            }
            let kept = try sql.prepared("SELECT count(*) FROM incident WHERE is_test = 2").first { $0.int(0) } ?? 0
            // Then the lines no alert names any more, with their devices.
            let lines = """
                SELECT e164 FROM phone_line p WHERE simulated = 1
                  AND NOT EXISTS (SELECT 1 FROM incident i WHERE i.line_e164 = p.e164)
                ORDER BY e164 LIMIT ?1
                """
            try sql.prepared("DELETE FROM device WHERE line_e164 IN (\(lines))").run([.integer(Int64(max(limit, 1)))])
            try sql.prepared("DELETE FROM phone_line WHERE e164 IN (\(lines))").run([.integer(Int64(max(limit, 1)))])
            let removed = sql.changes
            return SimulationPurge(alerts: 0, lines: removed, kept: kept, finished: removed < max(limit, 1))
        }
    }

    public func addGateway(id: String, name: String, secret: [UInt8], supervisionSeconds: Int?, at: Timestamp)
        throws(StoreError)
    {
        try sql.prepared("INSERT INTO gateway (id, name, secret, created_at, supervision_s) VALUES (?1, ?2, ?3, ?4, ?5)")
            .run([.text(id), .text(name), .blob(secret), .integer(at.millisecondsSince1970),
                  supervisionSeconds.map { .integer(Int64($0)) } ?? .null])
    }
}
