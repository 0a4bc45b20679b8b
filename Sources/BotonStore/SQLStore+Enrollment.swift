public import BotonRepository
public import BotonCore

extension SQLStore {
    public func nextTramiteSequence(year: Int) throws(StoreError) -> Int {
        try sql.prepared("""
            INSERT INTO tramite_sequence (year, last) VALUES (?1, 1)
            ON CONFLICT (year) DO UPDATE SET last = tramite_sequence.last + 1
            """).run([.integer(Int64(year))])
        guard let last = try sql.prepared("SELECT last FROM tramite_sequence WHERE year = ?1")
            .first([.integer(Int64(year))], { $0.int(0) }) else {
            throw StoreError(kind: .notFound, message: "tramite_sequence \(year)")
        }
        return last
    }

    // MARK: Citizens

    private static var citizenColumns: String { """
        id, document_kind, document_key, document_number, nationality, nombres, apellidos, birth_date, email,
        created_at
        """ }

    private static func citizenRecord(_ s: any SQLRow) -> CitizenRecord {
        CitizenRecord(id: s.int64(0), documentKind: s.text(1), documentKey: s.text(2), documentNumber: s.text(3),
                      nationality: s.text(4), nombres: s.text(5), apellidos: s.text(6), birthDate: s.text(7),
                      email: s.optionalText(8), createdAt: Timestamp(millisecondsSince1970: s.int64(9)))
    }

    public func citizen(documentKey: String) throws(StoreError) -> CitizenRecord? {
        try sql.prepared("SELECT \(Self.citizenColumns) FROM citizen WHERE document_key = ?1")
            .first([.text(documentKey)], Self.citizenRecord)
    }

    public func citizen(id: Int64) throws(StoreError) -> CitizenRecord? {
        try sql.prepared("SELECT \(Self.citizenColumns) FROM citizen WHERE id = ?1")
            .first([.integer(id)], Self.citizenRecord)
    }

    public func insertCitizen(_ c: CitizenRecord) throws(StoreError) -> Int64 {
        return try sql.prepared("""
            INSERT INTO citizen (document_kind, document_key, document_number, nationality, nombres, apellidos,
                birth_date, email, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            RETURNING id
            """).first([.text(c.documentKind), .text(c.documentKey), .text(c.documentNumber), .text(c.nationality),
                      .text(c.nombres), .text(c.apellidos), .text(c.birthDate), c.email.map { .text($0) } ?? .null,
                      .integer(c.createdAt.millisecondsSince1970)]) { $0.int64(0) } ?? 0
    }

    public func updateCitizen(_ c: CitizenRecord) throws(StoreError) {
        guard let id = c.id else { throw StoreError(kind: .notFound, message: "citizen without id") }
        try sql.prepared("""
            UPDATE citizen SET nombres = ?2, apellidos = ?3, birth_date = ?4, email = ?5 WHERE id = ?1
            """).run([.integer(id), .text(c.nombres), .text(c.apellidos), .text(c.birthDate),
                      c.email.map { .text($0) } ?? .null])
    }

    public func citizenHasBeenVerified(id: Int64) throws(StoreError) -> Bool {
        try sql.prepared("""
            SELECT EXISTS (SELECT 1 FROM enrollment e JOIN enrollment_transition t ON t.enrollment_id = e.id
                           WHERE e.citizen_id = ?1 AND t.to_state = 'verificada')
            """).first([.integer(id)]) { $0.bool(0) } ?? false
    }

    public func upsertPhoneLine(e164: String, kind: String, citizenID: Int64, homeSubcircuit: String,
                                homeLatitude: Double, homeLongitude: Double, at: Timestamp) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO phone_line (e164, kind, citizen_id, home_subcircuit, home_latitude, home_longitude,
                created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (e164) DO UPDATE SET kind = excluded.kind, citizen_id = excluded.citizen_id,
                home_subcircuit = excluded.home_subcircuit, home_latitude = excluded.home_latitude,
                home_longitude = excluded.home_longitude
            """).run([.text(e164), .text(kind), .integer(citizenID), .text(homeSubcircuit), .real(homeLatitude),
                      .real(homeLongitude), .integer(at.millisecondsSince1970)])
    }

    // MARK: Requests

    static var enrollmentColumns: String { """
        id, tramite, channel, state, citizen_id, line_e164, upc_code, subcircuit_code, home_address,
        home_latitude, home_longitude, work_address, work_latitude, work_longitude, consent_at,
        usage_policy_accepted_at, usage_policy_explained, linked_to, intake_upc_code, registered_at, device_id,
        created_at, updated_at
        """ }

    static func enrollmentRecord(_ s: any SQLRow) throws(StoreError) -> EnrollmentRecord {
        func time(_ c: Int32) -> Timestamp? { s.optionalInt64(c).map { Timestamp(millisecondsSince1970: $0) } }
        return EnrollmentRecord(
            id: s.int64(0), tramite: s.text(1), channel: try s.value(2, as: Enrollment.Channel.self),
            state: try s.value(3, as: EnrollmentState.self), citizenID: s.int64(4),
            lineE164: s.text(5), upcCode: s.text(6), subcircuitCode: s.text(7), homeAddress: s.text(8),
            homeLatitude: s.double(9), homeLongitude: s.double(10), workAddress: s.optionalText(11),
            workLatitude: s.optionalDouble(12), workLongitude: s.optionalDouble(13), consentAt: time(14),
            usagePolicyAcceptedAt: time(15), usagePolicyExplained: s.bool(16), linkedTo: s.optionalInt64(17),
            intakeUPCCode: s.optionalText(18), registeredAt: time(19), deviceID: s.optionalText(20),
            createdAt: Timestamp(millisecondsSince1970: s.int64(21)),
            updatedAt: Timestamp(millisecondsSince1970: s.int64(22)))
    }

    /// States from which a request can still move: not `rechazada`, not `dada_de_baja`.
    static var liveStates: String {
        "('ingresada','en_verificacion','verificada','registrada','prueba_pendiente','activa','suspendida',"
            + "'baja_solicitada')"
    }

    public func liveEnrollment(line: String) throws(StoreError) -> EnrollmentRecord? {
        try sql.prepared("""
            SELECT \(Self.enrollmentColumns) FROM enrollment
            WHERE line_e164 = ?1 AND state IN \(Self.liveStates) ORDER BY id LIMIT 1
            """).first([.text(line)], Self.enrollmentRecord)
    }

    /// An online request from this citizen for this line that is still `ingresada` and came in since `since`:
    /// a second submission of the same form (a double click, a retried POST) is the same request.
    public func recentOnlineSubmission(citizenID: Int64, line: String, homeAddress: String, since: Timestamp)
        throws(StoreError) -> EnrollmentRecord?
    {
        try sql.prepared("""
            SELECT \(Self.enrollmentColumns) FROM enrollment
            WHERE citizen_id = ?1 AND line_e164 = ?2 AND home_address = ?3 AND channel = 'en_linea'
              AND state = 'ingresada' AND created_at >= ?4
            ORDER BY id DESC LIMIT 1
            """).first([.integer(citizenID), .text(line), .text(homeAddress), .integer(since.millisecondsSince1970)],
                       Self.enrollmentRecord)
    }

    public func registeredEnrollment(line: String, excluding id: Int64) throws(StoreError) -> EnrollmentRecord? {
        try sql.prepared("""
            SELECT \(Self.enrollmentColumns) FROM enrollment
            WHERE line_e164 = ?1 AND id <> ?2
              AND state IN ('registrada','prueba_pendiente','activa','suspendida','baja_solicitada')
            ORDER BY id LIMIT 1
            """).first([.text(line), .integer(id)], Self.enrollmentRecord)
    }

    public func enrollment(deviceID: String) throws(StoreError) -> EnrollmentRecord? {
        try sql.prepared("""
            SELECT \(Self.enrollmentColumns) FROM enrollment WHERE device_id = ?1 ORDER BY id DESC LIMIT 1
            """).first([.text(deviceID)], Self.enrollmentRecord)
    }

    public func insertEnrollment(_ e: EnrollmentRecord) throws(StoreError) -> Int64 {
        func time(_ t: Timestamp?) -> SQLValue { t.map { .integer($0.millisecondsSince1970) } ?? .null }
        return try sql.prepared("""
            INSERT INTO enrollment (tramite, channel, state, citizen_id, line_e164, upc_code, subcircuit_code,
                home_address, home_latitude, home_longitude, work_address, work_latitude, work_longitude,
                consent_at, usage_policy_accepted_at, usage_policy_explained, linked_to, intake_upc_code,
                registered_at, device_id, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                ?22)
            RETURNING id
            """).first([
                .text(e.tramite), .text(e.channel.rawValue), .text(e.state.rawValue), .integer(e.citizenID), .text(e.lineE164),
                .text(e.upcCode), .text(e.subcircuitCode), .text(e.homeAddress), .real(e.homeLatitude),
                .real(e.homeLongitude), e.workAddress.map { .text($0) } ?? .null,
                e.workLatitude.map { .real($0) } ?? .null, e.workLongitude.map { .real($0) } ?? .null,
                time(e.consentAt), time(e.usagePolicyAcceptedAt), .integer(e.usagePolicyExplained ? 1 : 0),
                e.linkedTo.map { .integer($0) } ?? .null, e.intakeUPCCode.map { .text($0) } ?? .null,
                time(e.registeredAt), e.deviceID.map { .text($0) } ?? .null,
                .integer(e.createdAt.millisecondsSince1970), .integer(e.updatedAt.millisecondsSince1970),
            ]) { $0.int64(0) } ?? 0
    }

    public func enrollment(tramite: String) throws(StoreError) -> EnrollmentRecord? {
        try sql.prepared("SELECT \(Self.enrollmentColumns) FROM enrollment WHERE tramite = ?1")
            .first([.text(tramite)], Self.enrollmentRecord)
    }

    public func enrollment(id: Int64) throws(StoreError) -> EnrollmentRecord? {
        try sql.prepared("SELECT \(Self.enrollmentColumns) FROM enrollment WHERE id = ?1")
            .first([.integer(id)], Self.enrollmentRecord)
    }

    public func enrollmentsLinked(to id: Int64) throws(StoreError) -> [EnrollmentRecord] {
        try sql.prepared("SELECT \(Self.enrollmentColumns) FROM enrollment WHERE linked_to = ?1 ORDER BY id")
            .rows([.integer(id)], Self.enrollmentRecord)
    }

    public func enrollments(in scope: EnrollmentScope, states: [EnrollmentState], limit: Int) throws(StoreError)
        -> [EnrollmentRecord]
    {
        guard !states.isEmpty else { return [] }
        // States are bound one parameter each after the scope's (?1) and the limit (?2).
        let placeholders = states.indices.map { "?\($0 + 3)" }.joined(separator: ",")
        let filter: String
        var values: [SQLValue]
        switch scope {
        case .upc(let code):
            filter = "(upc_code = ?1 OR intake_upc_code = ?1)"
            values = [.text(code)]
        case .district(let code):
            // A UPC's code names the first subcircuito it serves, so it starts with its distrito:
            // UPC-17D04C01S01 is in 17D04.
            filter = "(upc_code LIKE ?1 OR intake_upc_code LIKE ?1)"
            values = [.text("UPC-\(code)C%")]
        case .all:
            // Typed: PostgreSQL cannot infer the type of a parameter that is only tested for NULL (42P18).
            filter = "CAST(?1 AS TEXT) IS NULL"
            values = [.null]
        }
        values.append(.integer(Int64(limit)))
        values += states.map { .text($0.rawValue) }
        return try sql.prepared("""
            SELECT \(Self.enrollmentColumns) FROM enrollment
            WHERE \(filter) AND state IN (\(placeholders)) ORDER BY created_at, id LIMIT ?2
            """).rows(values, Self.enrollmentRecord)
    }

    // MARK: History

    public func appendTransition(enrollmentID: Int64, _ step: EnrollmentTransition) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO enrollment_transition (enrollment_id, from_state, to_state, actor, at, note)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """).run([.integer(enrollmentID), step.from.map { .text($0.rawValue) } ?? .null, .text(step.to.rawValue),
                      .text(step.actor.storageForm), .integer(step.at.millisecondsSince1970),
                      step.note.map { .text($0) } ?? .null])
        try sql.prepared("UPDATE enrollment SET state = ?2, updated_at = ?3 WHERE id = ?1")
            .run([.integer(enrollmentID), .text(step.to.rawValue), .integer(step.at.millisecondsSince1970)])
    }

    public func transitions(enrollmentID: Int64) throws(StoreError) -> [EnrollmentTransition] {
        try sql.prepared("""
            SELECT from_state, to_state, actor, at, note FROM enrollment_transition
            WHERE enrollment_id = ?1 ORDER BY id
            """).rows([.integer(enrollmentID)]) { (s) throws(StoreError) -> EnrollmentTransition in
            let from = s.optionalText(0)
            guard let to = EnrollmentState(rawValue: s.text(1)), let actor = Author(storageForm: s.text(2)),
                  from == nil || EnrollmentState(rawValue: from!) != nil else {
                throw StoreError(kind: .invalidData,
                                 message: "enrollment_transition of enrollment \(enrollmentID) does not decode")
            }
            return EnrollmentTransition(from: from.flatMap(EnrollmentState.init(rawValue:)), to: to, actor: actor,
                                        at: Timestamp(millisecondsSince1970: s.int64(3)), note: s.optionalText(4))
        }
    }

    // MARK: Contacts

    public func insertContacts(enrollmentID: Int64, _ contacts: [EnrollmentContactRecord]) throws(StoreError) {
        let insert = try sql.prepared("""
            INSERT INTO enrollment_contact (enrollment_id, position, name, phone) VALUES (?1, ?2, ?3, ?4)
            """)
        for c in contacts {
            try insert.run([.integer(enrollmentID), .integer(Int64(c.position)), .text(c.name), .text(c.phone)])
        }
    }

    public func contacts(enrollmentID: Int64) throws(StoreError) -> [EnrollmentContactRecord] {
        try sql.prepared("""
            SELECT position, name, phone FROM enrollment_contact WHERE enrollment_id = ?1 ORDER BY position
            """).rows([.integer(enrollmentID)]) { s in
            EnrollmentContactRecord(position: s.int(0), name: s.text(1), phone: s.text(2))
        }
    }

    public func insertContactAttempt(enrollmentID: Int64, _ a: ContactAttemptRecord) throws(StoreError) {
        try sql.prepared("""
            INSERT INTO contact_attempt (enrollment_id, actor, at, result, note) VALUES (?1, ?2, ?3, ?4, ?5)
            """).run([.integer(enrollmentID), .text(a.actor), .integer(a.at.millisecondsSince1970), .text(a.result),
                      a.note.map { .text($0) } ?? .null])
    }

    public func contactAttempts(enrollmentID: Int64) throws(StoreError) -> [ContactAttemptRecord] {
        try sql.prepared("""
            SELECT actor, at, result, note FROM contact_attempt WHERE enrollment_id = ?1 ORDER BY id
            """).rows([.integer(enrollmentID)]) { s in
            ContactAttemptRecord(actor: s.text(0), at: Timestamp(millisecondsSince1970: s.int64(1)),
                                 result: s.text(2), note: s.optionalText(3))
        }
    }

    // MARK: Credentials

    public func insertDevice(id: String, kind: String, line: String, secret: [UInt8], at: Timestamp)
        throws(StoreError)
    {
        try sql.prepared("""
            INSERT INTO device (id, kind, line_e164, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
            """).run([.text(id), .text(kind), .text(line), .blob(secret), .integer(at.millisecondsSince1970)])
    }

    public func device(id: String) throws(StoreError) -> DeviceRecord? {
        try sql.prepared("SELECT id, kind, line_e164, created_at, revoked_at FROM device WHERE id = ?1")
            .first([.text(id)]) { s in
                DeviceRecord(id: s.text(0), kind: s.text(1), lineE164: s.text(2),
                             createdAt: Timestamp(millisecondsSince1970: s.int64(3)),
                             revokedAt: s.optionalInt64(4).map { Timestamp(millisecondsSince1970: $0) })
            }
    }

    @discardableResult
    public func revokeDevices(line: String, at: Timestamp) throws(StoreError) -> Int {
        try sql.prepared("UPDATE device SET revoked_at = ?2 WHERE line_e164 = ?1 AND revoked_at IS NULL")
            .run([.text(line), .integer(at.millisecondsSince1970)])
        return sql.changes
    }

    public func revokeDevice(id: String, at: Timestamp) throws(StoreError) {
        try sql.prepared("UPDATE device SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
            .run([.text(id), .integer(at.millisecondsSince1970)])
    }

    public func setRegistration(enrollmentID: Int64, deviceID: String, at: Timestamp) throws(StoreError) {
        try sql.prepared("UPDATE enrollment SET device_id = ?2, registered_at = ?3 WHERE id = ?1")
            .run([.integer(enrollmentID), .text(deviceID), .integer(at.millisecondsSince1970)])
    }

    public func testIncident(line: String, since: Timestamp) throws(StoreError) -> Int64? {
        try sql.prepared("""
            SELECT id FROM incident WHERE line_e164 = ?1 AND is_test = 1 AND opened_at >= ?2
            ORDER BY opened_at LIMIT 1
            """).first([.text(line), .integer(since.millisecondsSince1970)]) { $0.int64(0) }
    }
}
