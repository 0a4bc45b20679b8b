public import BotonCore
public import BotonRepository
public import BotonRuntime

/// What ``QuejaService`` needs of the store.
public typealias QuejaStore = Transactional & QuejaRepository & AuditLogRepository

/// Complaints (*quejas*) about the service: received from the public form (`web`) or entered by an officer for a
/// complaint received by phone or in person; then `recibida` → `en_gestion` → `resuelta`, each step recorded in
/// `queja_transition` with its author, time and note, and every officer action in the audit log.
///
/// **Placement.** A complaint is placed where it can be: the referenced alert's UPC and subcircuito, else the
/// referenced request's, else the UPC an officer chose (their own by default). A well-formed reference that
/// matches nothing is kept as typed (the citizen may have mistyped a digit that still passes the check, and saying
/// "no such alert" would tell strangers which numbers exist); the complaint then goes to the national queue. It is
/// counted in the month it was received, at every level it was placed in (see `StatisticsTally`).
///
/// **Scope.** An `operador_upc` sees and handles the complaints of their UPC; a `supervisor_distrito` those placed
/// in their distrito; an `administrador` all, including those without a place.
///
/// Not `Sendable`: one per request, over the connection lent to it. Each operation is one transaction.
public final class QuejaService {
    public let store: any QuejaStore
    let logger: Logger

    public init(store: any QuejaStore, logger: Logger = Logger(level: .warning)) {
        self.store = store
        self.logger = logger
    }

    /// The number a person reads: `Q-000123`.
    public static func number(_ id: Int64) -> String {
        let digits = String(id)
        return "Q-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Reads `Q-000123`, `q123`, `123`.
    public static func id(fromNumber text: String) -> Int64? {
        var t = Substring(text.uppercased().filter { !$0.isWhitespace })
        if t.hasPrefix("Q-") { t = t.dropFirst(2) } else if t.hasPrefix("Q") { t = t.dropFirst() }
        guard (1...12).contains(t.count), t.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let id = Int64(t), id > 0
        else { return nil }
        return id
    }

    func run<T>(_ body: () throws -> T) throws(QuejaError) -> T {
        do {
            return try store.inTransaction(rethrowing: body)
        } catch let error as QuejaError {
            throw error
        } catch let error as StoreError {
            throw QuejaError.storage(error)
        } catch {
            throw QuejaError(.unavailable, code: "internal", "No se pudo completar la operación. Intente de nuevo.",
                             detail: "\(error)")
        }
    }

    /// Where the references place a complaint.
    func place(_ form: QuejaForm.Valid) throws -> (upc: String?, subcircuit: String?) {
        if let incident = form.incidente, let place = try store.incidentPlace(id: incident.id) {
            return (place.upc, place.subcircuit)
        }
        if let tramite = form.tramite, let place = try store.enrollmentPlace(tramite: tramite.text) {
            return (place.upc, place.subcircuit)
        }
        return (nil, nil)
    }

    // MARK: The citizen

    /// A complaint from the public form: `recibida`, author `ciudadano`.
    public func submitPublic(_ form: QuejaForm, at now: Timestamp) throws(QuejaError) -> QuejaRecord {
        let valid = try form.validate()
        return try run { () throws -> QuejaRecord in
            let (upc, subcircuit) = try place(valid)
            var record = QuejaRecord(channel: .web, tramiteRef: valid.tramite?.text, incidentRef: valid.incidente?.id,
                                     upcCode: upc, subcircuitCode: subcircuit, description: valid.descripcion,
                                     contact: valid.contacto, receivedAt: now)
            record.id = try store.insertQueja(record)
            try store.appendQuejaTransition(quejaID: record.id!, QuejaTransitionRecord(
                from: nil, to: .recibida, actor: Author.ciudadano.storageForm, at: now, note: nil))
            return record
        }
    }

    /// What a citizen may read of a complaint by its number alone: its state and when it was received and last
    /// changed (never its text, contact or place). Nil for a number that does not exist.
    public func publicStatus(_ id: Int64) throws(QuejaError) -> (state: QuejaState, receivedAt: Timestamp,
                                                                 updatedAt: Timestamp)?
    {
        do {
            return try store.queja(id: id).map { ($0.state, $0.receivedAt, $0.updatedAt) }
        } catch {
            throw QuejaError.storage(error)
        }
    }

    // MARK: Officers

    /// A complaint received by phone or in person, entered by an officer: placed by its references, else at `upc`
    /// (an existing UPC), else at the officer's own UPC. Audited (`registrar_queja`).
    public func record(_ form: QuejaForm, channel: QuejaChannel, upc: String?, by officer: OperatorIdentity,
                       at now: Timestamp) throws(QuejaError) -> QuejaRecord
    {
        guard channel != .web else {
            throw QuejaError(.invalid, code: "form", "Indique cómo se recibió la queja.",
                             fields: [("canal", "Elija «Teléfono» o «Presencial»: las quejas web llegan del formulario público.")])
        }
        var valid: QuejaForm.Valid?
        var problems: [(String, String)] = []
        do { valid = try form.validate() } catch { problems = error.fields }
        let chosen = upc?.trimmingCharacters(in: .whitespaces).uppercased()
        if let chosen, !chosen.isEmpty, (try? BotonCore.UPCCode(chosen)) == nil {
            problems.append(("upc", "El código de UPC tiene la forma UPC-17D04C01S01."))
        }
        guard let valid, problems.isEmpty else {
            throw QuejaError(.invalid, code: "form",
                             "Revise los datos: hay \(problems.count == 1 ? "un campo" : "\(problems.count) campos") por corregir.",
                             fields: problems)
        }
        return try run { () throws -> QuejaRecord in
            var (placeUPC, subcircuit) = try place(valid)
            if placeUPC == nil, let chosen, !chosen.isEmpty {
                guard try store.upcExists(chosen) else {
                    throw QuejaError(.invalid, code: "form", "Revise los datos: hay un campo por corregir.",
                                     fields: [("upc", "No existe la UPC \(chosen) en el territorio cargado.")])
                }
                placeUPC = chosen
            }
            if placeUPC == nil { placeUPC = officer.upcCode }
            var record = QuejaRecord(channel: channel, tramiteRef: valid.tramite?.text, incidentRef: valid.incidente?.id,
                                     upcCode: placeUPC, subcircuitCode: subcircuit, description: valid.descripcion,
                                     contact: valid.contacto, receivedAt: now)
            record.id = try store.insertQueja(record)
            let actor = officer.author.storageForm
            try store.appendQuejaTransition(quejaID: record.id!, QuejaTransitionRecord(
                from: nil, to: .recibida, actor: actor, at: now, note: "Recibida por \(channel.nombre.lowercased())"))
            try store.appendAudit(AuditEntry(at: now, actor: actor, action: "registrar_queja",
                                             subject: "queja:\(record.id!)",
                                             detail: "canal=\(channel.rawValue) upc=\(placeUPC ?? "-")"))
            return record
        }
    }

    /// Open complaints (`recibida`, `en_gestion`) of the officer's scope, oldest first.
    public func pending(for officer: OperatorIdentity, limit: Int = 200) throws(QuejaError) -> [QuejaRecord] {
        let scope = try Self.scope(of: officer)
        return try run { try store.quejas(scope: scope, states: [.recibida, .enGestion], limit: max(1, limit)) }
    }

    /// A complaint with its history. Audited (`ver_queja`): it may hold the citizen's contact.
    public func detail(_ id: Int64, for officer: OperatorIdentity, at now: Timestamp) throws(QuejaError)
        -> (queja: QuejaRecord, history: [QuejaTransitionRecord])
    {
        try officerAction(id, officer, at: now) { record in
            try store.appendAudit(AuditEntry(at: now, actor: officer.author.storageForm, action: "ver_queja",
                                             subject: "queja:\(id)"))
            return (record, try store.quejaTransitions(quejaID: id))
        }
    }

    /// The next step: `en_gestion` (the officer takes it up; a note is optional) or `resuelta` (the note saying
    /// how it was resolved is required). Audited (`gestionar_queja`, `resolver_queja`).
    @discardableResult
    public func advance(_ id: Int64, to target: QuejaState, note: String?, by officer: OperatorIdentity,
                        at now: Timestamp) throws(QuejaError) -> QuejaRecord
    {
        let text = note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if target == .resuelta && text.count < 5 {
            throw QuejaError(.invalid, code: "form", "Indique cómo se resolvió la queja.",
                             fields: [("nota", "Escriba cómo se resolvió la queja (al menos 5 caracteres): queda en su historial.")])
        }
        if text.count > 2000 {
            throw QuejaError(.invalid, code: "form", "La nota es demasiado larga.",
                             fields: [("nota", "La nota puede tener hasta 2000 caracteres.")])
        }
        return try officerAction(id, officer, at: now) { record in
            guard record.state.canTransition(to: target) else {
                throw QuejaError(.conflict, code: "wrong_state",
                                 "La queja \(Self.number(id)) está «\(record.state.nombre)»: no puede pasar a «\(target.nombre)».")
            }
            let actor = officer.author.storageForm
            try store.updateQuejaState(id: id, to: target, at: now)
            try store.appendQuejaTransition(quejaID: id, QuejaTransitionRecord(
                from: record.state, to: target, actor: actor, at: now, note: text.isEmpty ? nil : text))
            try store.appendAudit(AuditEntry(at: now, actor: actor,
                                             action: target == .resuelta ? "resolver_queja" : "gestionar_queja",
                                             subject: "queja:\(id)"))
            var updated = record
            updated.state = target
            updated.updatedAt = now
            return updated
        }
    }

    /// Loads the complaint, checks the officer's scope and runs `body` in one transaction. A refusal for scope is
    /// audited (`acceso_denegado`) after the rollback.
    func officerAction<T>(_ id: Int64, _ officer: OperatorIdentity, at now: Timestamp,
                          _ body: (QuejaRecord) throws -> T) throws(QuejaError) -> T
    {
        do {
            return try run { () throws -> T in
                guard let record = try store.queja(id: id) else { throw QuejaError.notFound(id) }
                guard OfficerScope(officer).covers(record) else {
                    throw QuejaError(.forbidden, code: "out_of_scope",
                                     "La queja \(Self.number(id)) no corresponde a su UPC ni a su distrito.")
                }
                return try body(record)
            }
        } catch {
            if error.code == "out_of_scope" {
                store.appendAuditOfRefusal(AuditEntry(at: now, actor: officer.author.storageForm,
                                                      action: "acceso_denegado", subject: "queja:\(id)"),
                                           logger: logger)
            }
            throw error
        }
    }

    static func scope(of officer: OperatorIdentity) throws(QuejaError) -> EnrollmentScope {
        switch officer.role {
        case .administrador: return .all
        case .operadorUPC:
            guard let upc = officer.upcCode else { throw noScope }
            return .upc(upc)
        case .supervisorDistrito:
            guard let district = officer.districtCode else { throw noScope }
            return .district(district)
        }
    }

    static let noScope = QuejaError(.forbidden, code: "no_scope",
                                    "Su cuenta no tiene una UPC ni un distrito asignado. Pida a un administrador que la corrija.")
}

extension OfficerScope {
    /// Whether this scope covers the complaint (see ``QuejaService``).
    func covers(_ queja: QuejaRecord) -> Bool {
        covers(upcs: queja.upcCode.map { [$0] } ?? [], subcircuit: queja.subcircuitCode)
    }
}
