public import BotonCore
import BotonCrypto
import BotonRepository

/// What an officer does with a request: list, read, contact, verify or reject, register, confirm the test, and
/// the in-person intake. Every action is authorised by the officer's scope (``OperatorIdentity``):
///
/// - `operador_upc`: requests assigned to their UPC, or taken in person at their UPC;
/// - `supervisor_distrito`: the same for every UPC of their distrito;
/// - `administrador`: all.
///
/// A request outside the scope is answered `notFound`, exactly as one that does not exist (so números de trámite
/// cannot be probed), and the attempt is audited as `acceso_denegado`.
extension EnrollmentService {
    /// Requests awaiting an officer (``awaitingOfficer``) in the officer's scope, oldest first.
    public func pending(for officer: OperatorIdentity, limit: Int = 200) throws(EnrollmentError)
        -> [EnrollmentSummary]
    {
        let scope: EnrollmentScope
        switch officer.role {
        case .administrador: scope = .all
        case .operadorUPC:
            guard let upc = officer.upcCode else { throw Self.noScope }
            scope = .upc(upc)
        case .supervisorDistrito:
            guard let district = officer.districtCode else { throw Self.noScope }
            scope = .district(district)
        }
        return try run { () throws -> [EnrollmentSummary] in
            try store.enrollments(in: scope, states: Self.awaitingOfficer, limit: max(1, limit)).map { record in
                var s = try summary(record)
                s.citizenName = try store.citizen(id: record.citizenID).map { "\($0.nombres) \($0.apellidos)" }
                return s
            }
        }
    }

    /// Everything about a request. Audited (`ver_solicitud`): it is personal data.
    public func detail(_ tramite: String, for officer: OperatorIdentity, at: Timestamp) throws(EnrollmentError)
        -> EnrollmentDetail
    {
        try officerAction(tramite, officer, at: at) { (record) throws -> EnrollmentDetail in
            try audit(officer, "ver_solicitud", record, at: at)
            return try detail(record)
        }
    }

    /// Records an attempt to reach the citizen (procedure *en línea*, step 2). The first attempt on an
    /// `ingresada` request moves it to `en_verificacion`: the officer has taken it up. Allowed in any live state.
    @discardableResult
    public func recordContact(_ tramite: String, result: ContactResult, note: String?, by officer: OperatorIdentity,
                              at: Timestamp) throws(EnrollmentError) -> EnrollmentSummary
    {
        let note = note.map(\.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        return try officerAction(tramite, officer, at: at) { (record) throws -> EnrollmentSummary in
            var record = record
            let state = record.state
            guard !state.isTerminal else {
                throw EnrollmentError(.conflict, code: "wrong_state",
                                      "La solicitud \(record.tramite) está «\(state.nombre)»: ya no se "
                                          + "registran contactos.")
            }
            try store.insertContactAttempt(enrollmentID: record.id!, ContactAttemptRecord(
                actor: officer.author.storageForm, at: at, result: result.rawValue, note: note))
            if state == .ingresada {
                var enrollment = try replay(record)
                try step(&enrollment, to: .enVerificacion, by: officer.author, at: at,
                         note: "Primer contacto: \(result.nombre)", tramite: record.tramite)
                try store.appendTransition(enrollmentID: record.id!, enrollment.history.last!)
                record.state = .enVerificacion
                record.updatedAt = at
            }
            try audit(officer, "registrar_contacto", record, detail: "resultado=\(result.rawValue)", at: at)
            return try summary(record)
        }
    }

    /// The officer confirmed identity and address: `en_verificacion` → `verificada` (procedure *en línea*,
    /// step 3).
    @discardableResult
    public func verify(_ tramite: String, by officer: OperatorIdentity, at: Timestamp) throws(EnrollmentError)
        -> EnrollmentSummary
    {
        try officerAction(tramite, officer, at: at) { (record) throws -> EnrollmentSummary in
            if record.state == .ingresada {
                throw EnrollmentError(.conflict, code: "not_contacted",
                                      "Antes de verificar la solicitud \(record.tramite), registre el contacto con el "
                                          + "solicitante.")
            }
            // Identity, address and contacts are confirmed on a call that reached the citizen.
            if record.state == .enVerificacion,
               try !store.contactAttempts(enrollmentID: record.id!).contains(where: {
                   ContactResult(rawValue: $0.result)?.reachedCitizen == true
               })
            {
                throw EnrollmentError(.conflict, code: "not_reached",
                                      "Antes de marcar la solicitud \(record.tramite) como verificada, registre una "
                                          + "llamada en la que habló con el ciudadano (resultado «Contactado»).")
            }
            return try move(record, to: .verificada, by: officer, note: nil, action: "verificar_solicitud", at: at)
        }
    }

    /// Turns a request down (from `ingresada` or `en_verificacion`); `reason` is required and is shown to the
    /// citizen on the status page.
    @discardableResult
    public func reject(_ tramite: String, reason: String, by officer: OperatorIdentity, at: Timestamp)
        throws(EnrollmentError) -> EnrollmentSummary
    {
        let reason = reason.trimmed
        guard !reason.isEmpty else {
            throw EnrollmentError(.invalid, code: "missing_reason",
                                  "Para rechazar la solicitud escriba el motivo: el ciudadano lo verá al consultar su trámite.")
        }
        return try officerAction(tramite, officer, at: at) { (record) throws -> EnrollmentSummary in
            try move(record, to: .rechazada, by: officer, note: reason, action: "rechazar_solicitud", at: at)
        }
    }

    /// Enters a verified request in the system and issues its credential (procedure *en línea*, steps 3–4;
    /// *presencial*, steps 2–3): `verificada` → `registrada` → `prueba_pendiente`.
    ///
    /// - celular: an `app` device with a new 16-byte id and 32-byte secret, returned once as hex and as an
    ///   ``ActivationCode``;
    /// - fijo: a `linea_fija` device, which lets the carrier gateway's reports of calls to 135 from the line
    ///   through (its secret is never shown).
    ///
    /// The line's registered address becomes this request's. Any older credential of the line still valid is
    /// revoked. Refused (`conflict`, `line_has_button`) while another request of the same line is `registrada`,
    /// `prueba_pendiente`, `activa` or `suspendida`: one button per line.
    public func register(_ tramite: String, by officer: OperatorIdentity, at: Timestamp) throws(EnrollmentError)
        -> Registration
    {
        try officerAction(tramite, officer, at: at) { (record) throws -> Registration in
            var record = record
            var enrollment = try replay(record)
            let line = try PhoneLine(record.lineE164)
            let idBytes = try Digest.randomBytes(ActivationCode.deviceIDLength)
            let secret = try Digest.randomBytes(ActivationCode.secretLength)
            let deviceID = Hex.encode(idBytes)
            let kind = line.kind == .celular ? "app" : "linea_fija"
            // Refuses every state but verificada, with the domain's message.
            try step(&enrollment, to: .registrada, by: officer.author, at: at, note: "Credencial \(kind) \(deviceID)",
                     tramite: record.tramite)
            if let other = try store.registeredEnrollment(line: record.lineE164, excluding: record.id!) {
                let state = other.state.nombre
                throw EnrollmentError(.conflict, code: "line_has_button",
                                      "La línea ya tiene un botón de seguridad en la solicitud \(other.tramite) (estado "
                                          + "«\(state)»). Dé de baja esa solicitud antes de registrar esta.")
            }
            try store.upsertPhoneLine(e164: line.e164, kind: line.kind.rawValue, citizenID: record.citizenID,
                                      homeSubcircuit: record.subcircuitCode, homeLatitude: record.homeLatitude,
                                      homeLongitude: record.homeLongitude, at: at)
            try store.revokeDevices(line: line.e164, at: at)
            try store.insertDevice(id: deviceID, kind: kind, line: line.e164, secret: secret, at: at)
            try store.setRegistration(enrollmentID: record.id!, deviceID: deviceID, at: at)
            try store.appendTransition(enrollmentID: record.id!, enrollment.history.last!)
            try step(&enrollment, to: .pruebaPendiente, by: officer.author, at: at,
                     note: "Procedimiento de activación indicado; falta la alerta de prueba", tramite: record.tramite)
            try store.appendTransition(enrollmentID: record.id!, enrollment.history.last!)
            record.state = .pruebaPendiente
            record.updatedAt = at
            record.registeredAt = at
            record.deviceID = deviceID
            try audit(officer, "registrar_boton", record, detail: "dispositivo=\(deviceID) tipo=\(kind)", at: at)
            let upc = upcName(record.upcCode)
            let credential: IssuedEnrollmentCredential
            let instrucciones: String
            if line.kind == .celular {
                credential = .app(deviceID: deviceID, secretHex: Hex.encode(secret),
                                  activationCode: ActivationCode(deviceID: idBytes, secret: secret).text)
                instrucciones = "Instale la aplicación Botón de Seguridad en el celular \(line.nationalFormat) e "
                    + "ingrese el código de activación (se muestra una sola vez). Luego envíe la alerta de prueba desde "
                    + "la aplicación: cuando la \(upc) la confirme, el botón quedará activo."
            } else {
                credential = .lineaFija(deviceID: deviceID)
                instrucciones = "Desde el teléfono fijo \(line.nationalFormat) marque 135 e indique que es una llamada "
                    + "de prueba del botón de seguridad: cuando la \(upc) la confirme, el botón quedará activo."
            }
            return Registration(summary: try summary(record), line: line, credential: credential,
                                instrucciones: instrucciones)
        }
    }

    /// Issues a new activation code for a celular whose test alert is still pending (the citizen lost the code,
    /// or typed it into another phone): the line's older credential is revoked, the new one is returned once like
    /// ``register(_:by:at:)``'s, and the test alert is awaited from now. The request stays `prueba_pendiente`;
    /// audited as `reemitir_codigo`.
    public func reissueCode(_ tramite: String, by officer: OperatorIdentity, at: Timestamp) throws(EnrollmentError)
        -> Registration
    {
        try officerAction(tramite, officer, at: at) { (record) throws -> Registration in
            var record = record
            let line = try PhoneLine(record.lineE164)
            guard record.state == .pruebaPendiente, line.kind == .celular else {
                throw EnrollmentError(.conflict, code: "wrong_state",
                                      line.kind == .celular
                                          ? "Solo se emite un código nuevo mientras la solicitud \(record.tramite) "
                                              + "espera la alerta de prueba (está «\(record.state.nombre)»)."
                                          : "Una línea fija no usa código de activación: alerta marcando 135.")
            }
            let idBytes = try Digest.randomBytes(ActivationCode.deviceIDLength)
            let secret = try Digest.randomBytes(ActivationCode.secretLength)
            let deviceID = Hex.encode(idBytes)
            try store.revokeDevices(line: line.e164, at: at)
            try store.insertDevice(id: deviceID, kind: "app", line: line.e164, secret: secret, at: at)
            try store.setRegistration(enrollmentID: record.id!, deviceID: deviceID, at: at)
            record.registeredAt = at
            record.deviceID = deviceID
            try audit(officer, "reemitir_codigo", record, detail: "dispositivo=\(deviceID)", at: at)
            return Registration(
                summary: try summary(record), line: line,
                credential: .app(deviceID: deviceID, secretHex: Hex.encode(secret),
                                 activationCode: ActivationCode(deviceID: idBytes, secret: secret).text),
                instrucciones: "El código anterior ya no sirve. Ingrese este código en la aplicación del celular "
                    + "\(line.nationalFormat) y envíe de nuevo la alerta de prueba: cuando la \(upcName(record.upcCode)) "
                    + "la confirme, el botón quedará activo.")
        }
    }

    /// The UPC saw the test alert (procedure *en línea*, step 4; *presencial*, step 4): `prueba_pendiente` →
    /// `activa`, only if a test incident (`is_test = 1`) of the line was opened at or after the registration.
    ///
    /// `closingTestAlert` runs inside the same transaction with that test incident's id, after the request became
    /// `activa`: the console's desk closes the alert there (outcome `prueba`), so the request and its test alert
    /// change together or not at all, whichever page the officer confirmed from. Whatever it throws rolls both
    /// back.
    @discardableResult
    public func confirmTest(_ tramite: String, by officer: OperatorIdentity, at: Timestamp,
                            closingTestAlert: (Int64) throws -> Void) throws(EnrollmentError) -> EnrollmentSummary
    {
        try officerAction(tramite, officer, at: at) { (record) throws -> EnrollmentSummary in
            guard record.state == .pruebaPendiente, let registeredAt = record.registeredAt else {
                // The domain's message for most states; suspendida → activa is legal there but is not a test.
                var enrollment = try replay(record)
                try step(&enrollment, to: .activa, by: officer.author, at: at, tramite: record.tramite)
                throw EnrollmentError(.conflict, code: "wrong_state",
                                      "La solicitud \(record.tramite) no espera una alerta de prueba.")
            }
            guard let incident = try store.testIncident(line: record.lineE164, since: registeredAt) else {
                let line = try PhoneLine(record.lineE164)
                let how = line.kind == .celular
                    ? "envíe la alerta de prueba desde la aplicación"
                    : "marque 135 desde la línea fija e indique que es una prueba"
                throw EnrollmentError(.conflict, code: "no_test_alert",
                                      "Todavía no ha llegado la alerta de prueba de la línea \(line.nationalFormat) desde "
                                          + "su registro (\(EcuadorTime.text(registeredAt))). Pida al ciudadano que \(how) "
                                          + "y vuelva a confirmar.")
            }
            let summary = try move(record, to: .activa, by: officer, note: "Alerta de prueba \(incident)",
                                   action: "confirmar_prueba", at: at)
            try closingTestAlert(incident)
            return summary
        }
    }

    /// The UPC called the registered line and the citizen confirmed the baja they asked for online:
    /// `baja_solicitada` → `dada_de_baja`, and every credential of the line is revoked in the same transaction.
    /// Audited as `confirmar_baja`.
    @discardableResult
    public func confirmBaja(_ tramite: String, by officer: OperatorIdentity, at: Timestamp) throws(EnrollmentError)
        -> EnrollmentSummary
    {
        try officerAction(tramite, officer, at: at) { (record) throws -> EnrollmentSummary in
            guard record.state == .bajaSolicitada else { throw Self.noBajaRequest(record) }
            let summary = try move(record, to: .dadaDeBaja, by: officer,
                                   note: "Baja confirmada por la UPC con el titular de la línea",
                                   action: "confirmar_baja", at: at)
            let revoked = try store.revokeDevices(line: record.lineE164, at: at)
            logger.info("enrollment_baja_confirmed", ["tramite": record.tramite, "by": officer.author.storageForm,
                                                      "devices_revoked": String(revoked)])
            return summary
        }
    }

    /// The citizen did not ask for the baja (or no longer wants it): `baja_solicitada` goes back to the state it
    /// left and the button keeps working. `reason` is required. Audited as `rechazar_baja`.
    @discardableResult
    public func rejectBaja(_ tramite: String, reason: String, by officer: OperatorIdentity, at: Timestamp)
        throws(EnrollmentError) -> EnrollmentSummary
    {
        let reason = reason.trimmed
        guard !reason.isEmpty else {
            throw EnrollmentError(.invalid, code: "missing_reason",
                                  "Para rechazar el pedido de baja escriba el motivo (por ejemplo, el titular no la pidió).")
        }
        return try officerAction(tramite, officer, at: at) { (record) throws -> EnrollmentSummary in
            guard record.state == .bajaSolicitada else { throw Self.noBajaRequest(record) }
            var enrollment = try replay(record)
            guard let back = enrollment.stateBeforeBajaRequest else { throw Self.noBajaRequest(record) }
            try step(&enrollment, to: back, by: officer.author, at: at, note: reason, tramite: record.tramite)
            try store.appendTransition(enrollmentID: record.id!, enrollment.history.last!)
            var record = record
            record.state = back
            record.updatedAt = at
            try audit(officer, "rechazar_baja", record, detail: "motivo=\(reason)", at: at)
            logger.info("enrollment_baja_rejected", ["tramite": record.tramite, "by": officer.author.storageForm])
            return try summary(record)
        }
    }

    static func noBajaRequest(_ record: EnrollmentRecord) -> EnrollmentError {
        EnrollmentError(.conflict, code: "sin_baja_solicitada",
                        "La solicitud \(record.tramite) no tiene un pedido de baja pendiente (estado "
                            + "«\(record.state.nombre)»).")
    }

    /// The in-person intake at a UPC (procedure *presencial*, steps 1–3): the same form and checks as online,
    /// plus `usagePolicyExplained`, which must be true. The request starts at `verificada`, made by the
    /// officer. It is assigned to the UPC of the home address's subcircuito (which answers its alerts), and
    /// remembers the officer's UPC as the intake UPC, whose officers may also follow it up — the citizen may
    /// go to any UPC, near home or work.
    public func createInPerson(_ form: EnrollmentForm, usagePolicyExplained: Bool, by officer: OperatorIdentity,
                               at: Timestamp) throws(EnrollmentError) -> Submitted
    {
        var extra: [String: EnrollmentFormError.Problem] = [:]
        if !usagePolicyExplained {
            extra[EnrollmentForm.Field.politicaExplicada.rawValue] = .init(
                reason: "required",
                mensaje: "Explique al ciudadano la política de uso del botón de seguridad y cómo activarlo, y "
                    + "márquelo antes de registrar la solicitud.")
        }
        let valid: ValidatedEnrollment
        do { valid = try form.validate(routing: routing, today: CivilDate.ecuador(at), extra: extra) } catch {
            throw .form(error)
        }
        let first: Enrollment
        do {
            first = try Enrollment.inPerson(by: officer.author, at: at, usagePolicyExplained: true,
                                            note: "Registro presencial" + (officer.upcCode.map { " en \($0)" } ?? ""))
        } catch {
            throw EnrollmentError.transition(error, tramite: "nueva")
        }
        let record = try create(valid, first: first, intakeUPC: officer.upcCode, usagePolicyExplained: true,
                                trustedIdentity: true, officer: officer, at: at)
        return Submitted(
            tramite: record.tramite, state: .verificada, upcCode: record.upcCode, upcName: valid.homeUPCName,
            subcircuitCode: record.subcircuitCode,
            mensaje: "Solicitud \(record.tramite) registrada y verificada, asignada a la \(valid.homeUPCName). "
                + "Siguiente paso: registrar el botón y hacer la alerta de prueba con el ciudadano.")
    }

    // MARK: Helpers

    static var noScope: EnrollmentError {
        EnrollmentError(.forbidden, code: "no_scope",
                        "Su cuenta no tiene una UPC ni un distrito asignado. Pida a un administrador que la corrija.")
    }

    /// Loads the request, checks the officer's scope, and runs `body` in one transaction. A refusal for scope is
    /// audited (`acceso_denegado`) after the rollback.
    func officerAction<T>(_ tramite: String, _ officer: OperatorIdentity, at: Timestamp,
                          _ body: (EnrollmentRecord) throws -> T) throws(EnrollmentError) -> T
    {
        let number: TramiteNumber
        do { number = try TramiteNumber(tramite) } catch {
            throw EnrollmentError(.invalid, code: "tramite_\(error.reason)", error.mensaje)
        }
        do {
            return try transaction { () throws -> T in
                guard let record = try store.enrollment(tramite: number.text) else { throw EnrollmentError.notFound(number.text) }
                guard OfficerScope(officer).covers(record) else {
                    // The same answer as a trámite that does not exist; only the audit log knows the difference.
                    throw EnrollmentError.outOfScope(number.text)
                }
                return try body(record)
            }
        } catch {
            if error.isOutOfScope {
                store.appendAuditOfRefusal(AuditEntry(at: at, actor: officer.author.storageForm,
                                                      action: "acceso_denegado", subject: "solicitud:\(number.text)"),
                                           logger: logger)
            }
            throw error
        }
    }

    /// One transition by an officer, persisted and audited.
    func move(_ record: EnrollmentRecord, to next: EnrollmentState, by officer: OperatorIdentity, note: String?,
              action: String, at: Timestamp) throws -> EnrollmentSummary
    {
        var record = record
        var enrollment = try replay(record)
        try step(&enrollment, to: next, by: officer.author, at: at, note: note, tramite: record.tramite)
        do {
            try store.appendTransition(enrollmentID: record.id!, enrollment.history.last!)
        } catch {
            // The store's one-live-button-per-line index is the last word when two requests race.
            guard error.isConstraintViolation, next == .activa else { throw error }
            throw EnrollmentError(.conflict, code: "line_has_button",
                                  "La línea ya tiene otro botón de seguridad activo o suspendido.")
        }
        record.state = next
        record.updatedAt = at
        try audit(officer, action, record, detail: note.map { "nota=\($0)" }, at: at)
        return try summary(record)
    }

    func audit(_ officer: OperatorIdentity, _ action: String, _ record: EnrollmentRecord, detail: String? = nil,
               at: Timestamp) throws {
        try store.appendAudit(AuditEntry(at: at, actor: officer.author.storageForm, action: action,
                                         subject: "solicitud:\(record.tramite)",
                                         detail: ["estado=\(record.state)", detail].compactMap { $0 }
                                             .joined(separator: " ")))
    }

    func detail(_ record: EnrollmentRecord) throws -> EnrollmentDetail {
        guard let citizen = try store.citizen(id: record.citizenID),
              let kind = IdentityDocument.Kind(rawValue: citizen.documentKind) else {
            throw StoreError(kind: .invalidData, message: "citizen \(record.citizenID) of \(record.tramite)")
        }
        let contacts = try store.contacts(enrollmentID: record.id!).compactMap { c in
            (try? PhoneLine(c.phone)).map { EnrollmentDetail.Contact(name: c.name, phone: $0) }
        }
        let storedAttempts = try store.contactAttempts(enrollmentID: record.id!)
        let storedHistory = try store.transitions(enrollmentID: record.id!)
        // Operators are shown by rank and name, not by account number.
        var ids = Set<Int64>()
        for a in storedAttempts.map(\.actor) { if case .operador(let o)? = Author(storageForm: a) { ids.insert(Int64(o.id)) } }
        for t in storedHistory { if case .operador(let o) = t.actor { ids.insert(Int64(o.id)) } }
        let names = ids.isEmpty ? [:] : try store.operatorNames(ids: ids)
        func named(_ a: Author) -> Author {
            guard case .operador(let o) = a, let name = names[Int64(o.id)] else { return a }
            return .operador(id: o.id, display: name)
        }
        let attempts = storedAttempts.compactMap { a -> EnrollmentDetail.ContactAttempt? in
            guard let actor = Author(storageForm: a.actor), let result = ContactResult(rawValue: a.result) else {
                return nil
            }
            return EnrollmentDetail.ContactAttempt(actor: named(actor), at: a.at, result: result, note: a.note)
        }
        let history = storedHistory.map {
            EnrollmentTransition(from: $0.from, to: $0.to, actor: named($0.actor), at: $0.at, note: $0.note)
        }
        let device = try record.deviceID.flatMap { (id) throws(StoreError) in try store.device(id: id) }.map {
            EnrollmentDetail.Device(id: $0.id, kind: $0.kind, createdAt: $0.createdAt, revokedAt: $0.revokedAt)
        }
        return EnrollmentDetail(
            summary: try summary(record),
            citizen: .init(documentKind: kind, documentNumber: citizen.documentNumber, nationality: citizen.nationality,
                           nombres: citizen.nombres, apellidos: citizen.apellidos, birthDate: citizen.birthDate,
                           email: citizen.email),
            line: try PhoneLine(record.lineE164), upcName: upcName(record.upcCode),
            subcircuitName: subcircuitName(record.subcircuitCode), homeAddress: record.homeAddress,
            homeLatitude: record.homeLatitude, homeLongitude: record.homeLongitude, workAddress: record.workAddress,
            workLatitude: record.workLatitude, workLongitude: record.workLongitude, contacts: contacts,
            consentAt: record.consentAt, usagePolicyAcceptedAt: record.usagePolicyAcceptedAt,
            usagePolicyExplained: record.usagePolicyExplained, history: history,
            contactAttempts: attempts, device: device,
            linkedRequests: try store.enrollmentsLinked(to: record.id!).map(\.tramite),
            testAlert: try record.registeredAt.flatMap { (since) throws(StoreError) in
                try store.testIncident(line: record.lineE164, since: since)
            })
    }
}

extension OfficerScope {
    /// Whether this scope covers the request: the UPC of its address, or the UPC that took it in person (see
    /// ``EnrollmentService``).
    func covers(_ record: EnrollmentRecord) -> Bool {
        covers(upcs: [record.upcCode, record.intakeUPCCode].compactMap { $0 })
    }
}
