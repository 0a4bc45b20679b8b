public import BotonCore
public import BotonRepository
import Foundation
public import BotonRuntime

/// What the console's rules need from configuration.
public struct ConsolePolicy: Sendable {
    public var slaMilliseconds: Int64
    public var falseAlarmLimit: Int
    public var falseAlarmWindowMilliseconds: Int64
    public var recentMilliseconds: Int64

    public init(_ c: Configuration.Console) {
        slaMilliseconds = Int64(c.slaSeconds) * 1000
        falseAlarmLimit = c.falseAlarmLimit
        falseAlarmWindowMilliseconds = Int64(c.falseAlarmWindowDays) * 86_400_000
        recentMilliseconds = Int64(c.recentHours) * 3_600_000
    }
}

/// Everything the console shows about one alert: the alert, its events and positions, and the citizen behind the
/// line (name, document, registered addresses, reference contacts). Reading it is audited.
public struct IncidentDossier: Sendable {
    public let incident: IncidentRecord
    public let events: [IncidentEventRecord]
    public let positions: [IncidentPositionRecord]
    public let enrollment: EnrollmentRecord?
    public let citizen: CitizenRecord?
    public let contacts: [EnrollmentContactRecord]
    /// Rank and name of every operator in `events`, by stored author (`operador:42` → `Sbte. Andrade`).
    public let actorNames: [String: String]
    /// Whether the alert's line is suspended now (the alert's own flag says whether it was when it arrived).
    public let lineSuspendedNow: Bool
}

/// What the desk needs of the store.
public typealias ConsoleStore = Transactional & ConsoleRepository & AuditLogRepository & OperatorRepository
    & EnrollmentRepository

/// The enrollment side of *confirmar prueba*, as the console sees it (BotonWeb adapts the enrollment service).
public protocol EnrollmentActivation {
    /// The request `tramite` received its test alert and this officer confirmed it: it becomes `activa`, and
    /// `closingTestAlert` runs in the same transaction (with the test incident the enrollment found) to close the
    /// alert; if it throws, neither change is kept.
    func confirmTest(_ tramite: String, by officer: OperatorIdentity, at: Timestamp,
                     closingTestAlert: (Int64) throws -> Void) throws(ConsoleError)
}

/// The UPC console's actions on alerts, each one transaction with its audit entry: *tomar*, *despachar*,
/// *nota*, *cerrar* with an outcome, *confirmar prueba*; and the false-alarm policy (suspend a line at the
/// configured count, a supervisor lifts it).
///
/// Made per request over the connection lent to it. Scope: an alert outside the operator's ``ConsoleScope`` is
/// answered as not found, and the attempt is audited (`acceso_denegado`).
public struct IncidentDesk {
    package let store: any ConsoleStore
    let enrollments: any EnrollmentActivation
    let jurisdictions: Jurisdictions
    let policy: ConsolePolicy
    let logger: Logger

    /// `enrollments` works on the same connection as `store` (a confirmed test alert activates its request in the
    /// same request's work).
    public init(store: any ConsoleStore, enrollments: any EnrollmentActivation, jurisdictions: Jurisdictions,
                policy: ConsolePolicy, logger: Logger = Logger(level: .warning)) {
        self.store = store
        self.enrollments = enrollments
        self.jurisdictions = jurisdictions
        self.policy = policy
        self.logger = logger
    }

    // MARK: Reading

    /// The operator's open alerts (and those closed within `console.recent_hours`): open before closed, then
    /// escalated, real before tests, newest first.
    public func list(for officer: OperatorIdentity, simulacros: Bool = false, at: Timestamp) throws(ConsoleError)
        -> [IncidentRecord]
    {
        let scope = ConsoleScope(officer, simulacros: simulacros)
        let rows: [IncidentRecord]
        do {
            rows = try store.currentIncidents(closedSince: at.adding(milliseconds: -policy.recentMilliseconds),
                                              limit: 2_000)
        } catch { throw .storage(error) }
        return rows.filter { scope.shows($0, jurisdictions) }.sorted(by: Self.urgency)
    }

    static func urgency(_ a: IncidentRecord, _ b: IncidentRecord) -> Bool {
        let openA = a.state != .cerrada, openB = b.state != .cerrada
        if openA != openB { return openA }
        if a.isTest != b.isTest { return !a.isTest }
        if a.escalationLevel != b.escalationLevel { return a.escalationLevel > b.escalationLevel }
        return a.openedAt > b.openedAt
    }

    /// One alert with the citizen's data; audited as `ver_alerta`.
    public func dossier(_ id: Int64, for officer: OperatorIdentity, at: Timestamp) throws(ConsoleError)
        -> IncidentDossier
    {
        try withIncident(id, officer, at: at, action: "ver_alerta") { record in
            let enrollment = try store.latestRegisteredEnrollment(line: record.lineE164)
            let events = try store.incidentEvents(incident: id)
            return IncidentDossier(
                incident: record, events: events,
                positions: try store.incidentPositions(incident: id), enrollment: enrollment,
                citizen: try enrollment.flatMap { (e) throws(StoreError) in try store.citizen(id: e.citizenID) },
                contacts: try enrollment.map { (e) throws(StoreError) in try store.contacts(enrollmentID: e.id!) } ?? [],
                actorNames: try Self.operatorNames(of: events.map(\.actor), store: store),
                lineSuspendedNow: try store.lineIsSuspended(e164: record.lineE164) ?? false)
        }.0
    }

    /// The alert, scope-checked but not audited (the sketch of its subcircuito carries no personal data).
    public func incident(_ id: Int64, for officer: OperatorIdentity, at: Timestamp) throws(ConsoleError)
        -> IncidentRecord
    {
        let record: IncidentRecord?
        do { record = try store.incident(id: id) } catch { throw .storage(error) }
        guard let record else { throw .incidentNotFound(id) }
        guard ConsoleScope(officer).sees(record, jurisdictions) else {
            store.appendAuditOfRefusal(AuditEntry(at: at, actor: officer.author.storageForm,
                                                  action: "acceso_denegado", subject: "alerta:\(id)"), logger: logger)
            throw .incidentNotFound(id)
        }
        return record
    }

    // MARK: Actions

    /// *Tomar*: the operator answers for the alert (recibida or notificada → tomada).
    public func take(_ id: Int64, by officer: OperatorIdentity, at: Timestamp) throws(ConsoleError) -> IncidentRecord {
        try act(id, officer, at: at, action: "tomar") { record, incident, now in
            if record.state == .tomada || record.state == .despachada {
                let who = record.takenBy.map { Self.authorName($0, store: store) } ?? "otro operador"
                throw ConsoleError(.conflict, code: "ya_tomada", "La alerta \(id) ya fue tomada por \(who).")
            }
            try incident.transition(to: .tomada, by: officer.author, at: now)
            record.state = .tomada
            record.takenAt = now
            record.takenBy = officer.author.storageForm
            return nil
        }
    }

    /// *Despachar*: a unit or patrol (free text) was sent (tomada → despachada).
    public func dispatch(_ id: Int64, unit: String, by officer: OperatorIdentity, at: Timestamp) throws(ConsoleError)
        -> IncidentRecord
    {
        let unit = unit.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !unit.isEmpty, unit.count <= 200 else {
            throw ConsoleError(.invalid, code: "unidad_requerida",
                               "Indique la unidad o el patrullero despachado (hasta 200 caracteres).")
        }
        return try act(id, officer, at: at, action: "despachar", detail: "unidad=\(unit)") { record, incident, now in
            try incident.transition(to: .despachada, by: officer.author, at: now, note: unit)
            record.state = .despachada
            record.dispatchedAt = now
            record.unit = unit
            return nil
        }
    }

    /// *Nota*: free text on an open alert.
    public func note(_ id: Int64, text: String, by officer: OperatorIdentity, at: Timestamp) throws(ConsoleError)
        -> IncidentRecord
    {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 2_000 else {
            throw ConsoleError(.invalid, code: "nota_vacia", "Escriba la nota (hasta 2000 caracteres).")
        }
        return try act(id, officer, at: at, action: "nota") { _, incident, now in
            try incident.addNote(text, by: officer.author, at: now)
            return nil
        }
    }

    /// What closing did beyond the alert: whether the line was suspended by the false-alarm policy.
    public struct Closing: Sendable {
        public let incident: IncidentRecord
        public let lineSuspended: Bool
        public let falseAlarms: Int
    }

    /// *Cerrar* with an outcome (from tomada or despachada). A `falsa_alarma` counts against the line: at
    /// `console.false_alarm_limit` within the window the line and its button become `suspendida`.
    public func close(_ id: Int64, outcome: IncidentOutcome, note: String?, by officer: OperatorIdentity,
                      at: Timestamp) throws(ConsoleError) -> Closing
    {
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        var suspended = false
        var count = 0
        let record = try act(id, officer, at: at, action: "cerrar", detail: "resultado=\(outcome.rawValue)") {
            record, incident, now in
            try incident.close(outcome: outcome, by: officer.author, at: now, note: note?.isEmpty == false ? note : nil)
            record.state = .cerrada
            record.outcome = outcome
            record.closedAt = now
            return { (record: IncidentRecord) throws in
                guard outcome == .falsaAlarma else { return }
                (suspended, count) = try applyFalseAlarmPolicy(line: record.lineE164, officer: officer, at: now)
            }
        }
        return Closing(incident: record, lineSuspended: suspended, falseAlarms: count)
    }

    /// *Confirmar prueba*: the test alert reached this UPC; the enrollment of the line moves to `activa` (the
    /// enrollment service checks it is `prueba_pendiente` and that this test came after its registration), and the
    /// alert is closed as `prueba`.
    public func confirmTest(_ id: Int64, by officer: OperatorIdentity, at: Timestamp) throws(ConsoleError)
        -> (incident: IncidentRecord, tramite: String)
    {
        let record = try incident(id, for: officer, at: at)
        guard record.isTest else {
            throw ConsoleError(.conflict, code: "no_es_prueba", "La alerta \(id) no es una alerta de prueba.")
        }
        let enrollment: EnrollmentRecord?
        do { enrollment = try store.enrollment(line: record.lineE164, state: .pruebaPendiente) }
        catch { throw .storage(error) }
        guard let enrollment else {
            throw ConsoleError(.conflict, code: "sin_prueba_pendiente",
                               "La línea de la alerta \(id) no tiene una solicitud que espere su alerta de prueba.")
        }
        var closed = record
        try enrollments.confirmTest(enrollment.tramite, by: officer, at: at) { _ in
            // This alert (the one on the operator's screen), in the enrollment's transaction.
            closed = try Self.closeConfirmedTest(id, tramite: enrollment.tramite, store: store, by: officer, at: at)
                ?? record
        }
        return (closed, enrollment.tramite)
    }

    /// The console's side of *confirmar prueba*, for the enrollment service to run **inside its own transaction**
    /// (no transaction here): the test alert `id` is taken (if nobody had) and closed with outcome `prueba`, each
    /// step an incident event and an audit entry (`tomar`, `cerrar`) as if done from the console. Already closed:
    /// left as it is. Nil when `id` is not a test alert. The caller has checked the officer's scope (the request's
    /// UPC or district is the alert's line's).
    @discardableResult
    public static func closeConfirmedTest(_ id: Int64, tramite: String, store: any ConsoleStore,
                                          by officer: OperatorIdentity, at: Timestamp) throws -> IncidentRecord?
    {
        guard var record = try store.incident(id: id), record.isTest else { return nil }
        guard record.state != .cerrada else { return record }
        var incident = try IncidentHistory.replay(record, try store.incidentEvents(incident: id))
        let before = incident.events.count
        let now = max(at, incident.updatedAt)
        let actor = officer.author.storageForm
        if record.state == .recibida || record.state == .notificada {
            try incident.transition(to: .tomada, by: officer.author, at: now)
            record.state = .tomada
            record.takenAt = now
            record.takenBy = actor
            try store.appendAudit(AuditEntry(at: at, actor: actor, action: "tomar", subject: "alerta:\(id)"))
        }
        try incident.close(outcome: .prueba, by: officer.author, at: now,
                           note: "Prueba confirmada; solicitud \(tramite) activa")
        record.state = .cerrada
        record.outcome = .prueba
        record.closedAt = now
        for event in incident.events[before...] {
            try store.appendIncidentEvent(IncidentHistory.record(of: event, incident: id))
        }
        try store.updateIncident(record)
        try store.appendAudit(AuditEntry(at: at, actor: actor, action: "cerrar", subject: "alerta:\(id)",
                                         detail: "resultado=\(IncidentOutcome.prueba.rawValue)"))
        return record
    }

    /// A supervisor of the line's distrito (or an administrator) lifts a suspension: the line and its button are
    /// `activa` again and earlier false alarms stop counting. Audited with the reason.
    public func liftSuspension(line e164: String, reason: String, by officer: OperatorIdentity, at: Timestamp)
        throws(ConsoleError)
    {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard officer.role != .operadorUPC else {
            throw ConsoleError(.forbidden, code: "solo_supervisor",
                               "Solo un supervisor de distrito o un administrador puede levantar una suspensión.")
        }
        guard !reason.isEmpty else {
            throw ConsoleError(.invalid, code: "motivo_requerido", "Indique el motivo para levantar la suspensión.")
        }
        var deniedLine = false
        defer {
            if deniedLine {
                store.appendAuditOfRefusal(AuditEntry(at: at, actor: officer.author.storageForm,
                                                      action: "acceso_denegado", subject: "linea:\(e164)"), logger: logger)
            }
        }
        do {
            try store.inTransaction(rethrowing: { () throws in
                guard let suspension = try store.lineSuspension(e164) else {
                    throw ConsoleError(.notFound, code: "linea_no_encontrada", "No existe la línea \(e164) registrada.")
                }
                let enrollment = try store.enrollment(line: e164, state: .suspendida)
                    ?? (try store.liveEnrollment(line: e164))
                let home = try store.lineHome(e164: e164)
                let district = enrollment.flatMap { OfficerScope.district(ofUPC: $0.upcCode) }
                    ?? home?.subcircuit.map { String($0.prefix(5)) }
                if officer.role == .supervisorDistrito, district != officer.districtCode {
                    deniedLine = true
                    throw ConsoleError(.notFound, code: "linea_no_encontrada",
                                       "No existe la línea \(e164) en su distrito.")
                }
                guard suspension.suspendedAt != nil else {
                    throw ConsoleError(.conflict, code: "no_suspendida", "La línea \(e164) no está suspendida.")
                }
                try store.liftLineSuspension(e164, at: at)
                if let enrollment, enrollment.state == .suspendida {
                    try store.appendTransition(enrollmentID: enrollment.id!, EnrollmentTransition(
                        from: .suspendida, to: .activa, actor: officer.author, at: at,
                        note: "Suspensión levantada: \(reason)"))
                }
                try store.appendAudit(AuditEntry(at: at, actor: officer.author.storageForm,
                                                 action: "levantar_suspension", subject: "linea:\(e164)",
                                                 detail: "motivo=\(reason)"))
            })
        } catch let error as ConsoleError {
            throw error
        } catch let error as StoreError {
            throw .storage(error)
        } catch {
            throw ConsoleError(.unavailable, code: "error", String(describing: error))
        }
    }

    // MARK: Machinery

    /// Counts the line's false alarms since the later of the window's start and the last lifted suspension;
    /// at the limit, suspends the line and moves its `activa` button to `suspendida`. Inside the caller's
    /// transaction.
    private func applyFalseAlarmPolicy(line: String, officer: OperatorIdentity, at: Timestamp) throws
        -> (suspended: Bool, count: Int)
    {
        guard let suspension = try store.lineSuspension(line) else { return (false, 0) }
        var since = at.adding(milliseconds: -policy.falseAlarmWindowMilliseconds)
        if let lifted = suspension.liftedAt, lifted > since { since = lifted }
        let count = try store.falseAlarms(line: line, since: since)
        guard count >= policy.falseAlarmLimit, suspension.suspendedAt == nil else { return (false, count) }
        try store.suspendLine(line, at: at)
        if let enrollment = try store.enrollment(line: line, state: .activa) {
            try store.appendTransition(enrollmentID: enrollment.id!, EnrollmentTransition(
                from: .activa, to: .suspendida, actor: .sistema, at: at,
                note: "\(count) falsas alarmas en \(policy.falseAlarmWindowMilliseconds / 86_400_000) días"))
        }
        try store.appendAudit(AuditEntry(at: at, actor: Author.sistema.storageForm, action: "suspender_linea",
                                         subject: "linea:\(line)",
                                         detail: "falsas_alarmas=\(count) cerrada_por=\(officer.author.storageForm)"))
        return (true, count)
    }

    /// Loads a scoped alert inside a transaction, runs `body`, audits `action`.
    private func withIncident<T>(_ id: Int64, _ officer: OperatorIdentity, at: Timestamp, action: String,
                                 detail: String? = nil,
                                 _ body: (IncidentRecord) throws -> T) throws(ConsoleError)
        -> (T, IncidentRecord)
    {
        var denied = false
        do {
            return try store.inTransaction(rethrowing: { () throws -> (T, IncidentRecord) in
                guard let record = try store.incident(id: id) else { throw ConsoleError.incidentNotFound(id) }
                guard ConsoleScope(officer).sees(record, jurisdictions) else {
                    denied = true
                    throw ConsoleError.incidentNotFound(id)
                }
                let result = try body(record)
                try store.appendAudit(AuditEntry(at: at, actor: officer.author.storageForm, action: action,
                                                 subject: "alerta:\(id)", detail: detail))
                return (result, record)
            })
        } catch let error as ConsoleError {
            if denied {
                // Recorded after the rollback, in its own transaction: the refusal itself is audited.
                store.appendAuditOfRefusal(AuditEntry(at: at, actor: officer.author.storageForm,
                                                      action: "acceso_denegado", subject: "alerta:\(id)",
                                                      detail: "accion=\(action)"), logger: logger)
            }
            throw error
        } catch let error as TransitionError {
            throw .transition(error)
        } catch let error as StoreError {
            throw .storage(error)
        } catch {
            throw ConsoleError(.unavailable, code: "error", String(describing: error))
        }
    }

    /// One state-machine step: replays the alert, lets `step` apply the action to the domain value and the row
    /// (and return a follow-up inside the same transaction), persists the new events and the row, audits.
    private func act(_ id: Int64, _ officer: OperatorIdentity, at: Timestamp, action: String, detail: String? = nil,
                     _ step: (inout IncidentRecord, inout Incident, Timestamp) throws
                        -> ((IncidentRecord) throws -> Void)?) throws(ConsoleError) -> IncidentRecord
    {
        do throws(ConsoleError) {
            return try withIncident(id, officer, at: at, action: action, detail: detail) { record in
                var record = record
                let stored = try store.incidentEvents(incident: id)
                var incident = try IncidentHistory.replay(record, stored)
                let before = incident.events.count
                let now = max(at, incident.updatedAt)
                let followUp = try step(&record, &incident, now)
                for event in incident.events[before...] {
                    try store.appendIncidentEvent(IncidentHistory.record(of: event, incident: id))
                }
                try store.updateIncident(record)
                try followUp?(record)
                return record
            }.0
        } catch {
            throw error
        }
    }

    /// Rank and name of the operators among `actors` (stored authors), keyed by the stored form.
    public static func operatorNames(of actors: [String], store: any OperatorRepository) throws(StoreError)
        -> [String: String]
    {
        var ids = Set<Int64>()
        for actor in actors { if case .operador(let ref)? = Author(storageForm: actor) { ids.insert(Int64(ref.id)) } }
        guard !ids.isEmpty else { return [:] }
        var names: [String: String] = [:]
        for (id, name) in try store.operatorNames(ids: ids) { names["operador:\(id)"] = name }
        return names
    }

    static func authorName(_ stored: String, store: any OperatorRepository) -> String {
        guard case .operador(let ref)? = Author(storageForm: stored),
              let name = (try? store.operatorRecord(id: Int64(ref.id)))??.shownName else { return stored }
        return name
    }
}
