public import BotonCore
import BotonCrypto
public import BotonGeo
public import BotonRepository
public import BotonRuntime

/// What ``EnrollmentService`` needs of the store.
public typealias EnrollmentStore = Transactional & EnrollmentRepository & AuditLogRepository & OperatorRepository
    & ConsoleRepository & CredentialRepository

/// Enrolment of a phone line for the Botón de Seguridad: the online form and the in-person intake, the UPC
/// officer's verification, the credential, the test alert and the citizen's withdrawal (baja).
///
/// Every step is a transition of the ``Enrollment`` state machine, replayed from the stored history and checked
/// by BotonCore's rules, then appended to `enrollment_transition` with its ``Author`` and time in the same
/// transaction as its effects. Officer actions also write an `audit_log` row (reading a request's detail too:
/// it is personal data).
///
/// ## Concurrency model
///
/// Thread-safe by construction, with no lock: an `EnrollmentService` is a value over one store connection (the
/// ``EnrollmentStore`` protocols; not `Sendable`, so the compiler keeps it where it was made) and the immutable,
/// shared ``RoutingTable``. Make one per request, over the connection lent to it. Every operation
/// is synchronous and runs in one `BEGIN IMMEDIATE` transaction, so concurrent operations on different
/// connections are serialised by SQLite (waiting up to `store.busy_timeout_ms`) and a request is never seen
/// half-written; the número de trámite sequence is incremented inside that transaction.
///
/// Times are passed in (`at:`), like everywhere in the domain; the web layer passes `SystemClock.now()`.
public struct EnrollmentService {
    public let store: any EnrollmentStore
    public let routing: RoutingTable
    let logger: Logger

    public init(store: any EnrollmentStore, routing: RoutingTable, logger: Logger = Logger(level: .warning)) {
        self.store = store
        self.routing = routing
        self.logger = logger
    }

    /// States in which a request waits for an officer: listed by ``pending(for:limit:)``.
    /// A pending baja (`baja_solicitada`) is listed too: the UPC confirms or rejects it after calling the line.
    public static let awaitingOfficer: [EnrollmentState] = [.ingresada, .enVerificacion, .verificada, .registrada,
                                                             .pruebaPendiente, .bajaSolicitada]

    // MARK: Citizen

    /// The online form (procedure *en línea*, step 1). Validates every field, reporting all problems at once
    /// (``EnrollmentError/form``), then creates the request in `ingresada`, assigned to the UPC of the home
    /// address's subcircuito.
    ///
    /// A line that already has a live request (any state but `rechazada`/`dada_de_baja`) gets a new request
    /// linked to it (`linked_to`), which its UPC's officer resolves; the answer is the same either way (see
    /// ``Submitted``).
    public func submitOnline(_ form: EnrollmentForm, at: Timestamp) throws(EnrollmentError) -> Submitted {
        let valid: ValidatedEnrollment
        do { valid = try form.validate(routing: routing, today: CivilDate.ecuador(at)) } catch { throw .form(error) }
        let record = try create(valid, first: Enrollment.online(by: .ciudadano, at: at), intakeUPC: nil,
                                usagePolicyExplained: false, trustedIdentity: false, officer: nil, at: at)
        return Submitted(
            tramite: record.tramite, state: .ingresada, upcCode: record.upcCode, upcName: valid.homeUPCName,
            subcircuitCode: record.subcircuitCode,
            mensaje: "Su solicitud fue ingresada con el número de trámite \(record.tramite). El policía comunitario de "
                + "la \(valid.homeUPCName) se comunicará con usted al \(valid.line.nationalFormat) para verificar sus "
                + "datos. Guarde este número: con él y su número de documento puede consultar el estado de su "
                + "solicitud.")
    }

    /// The status of a request, only for whoever knows both its número de trámite and the document it was made
    /// with; nil when either is wrong (which one is not said).
    public func status(tramite: String, document: String) throws(EnrollmentError) -> EnrollmentStatusView? {
        try run { () throws -> EnrollmentStatusView? in
            guard let record = try citizenRequest(tramite: tramite, document: document) else { return nil }
            return try statusView(record)
        }
    }

    /// The citizen asks for the baja of their button: the request becomes `baja_solicitada` and **nothing else
    /// changes** — the device is not revoked and its alerts are still taken — until the baja is confirmed by the
    /// enrolled device's signed `baja` frame (the ingestion writer) or by the UPC after calling the registered
    /// line (``confirmBaja(_:by:at:)``). Whoever knows a número de trámite and its document can ask (the web
    /// layer limits the guesses per trámite and per document); only the button's owner can confirm.
    ///
    /// Needs the número de trámite and the document, like ``status(tramite:document:)``. Refused with
    /// `sin_boton` (409) for a request that holds no button yet (nothing to switch off: its UPC's officer
    /// closes it if the citizen asks); asked again while pending, it answers the same status and writes nothing.
    /// Audited as `solicitar_baja`.
    @discardableResult
    public func requestBaja(tramite: String, document: String, at: Timestamp) throws(EnrollmentError)
        -> EnrollmentStatusView
    {
        try transaction { () throws -> EnrollmentStatusView in
            guard var record = try citizenRequest(tramite: tramite, document: document) else {
                throw EnrollmentError(.notFound, code: "tramite_not_found",
                                      "No encontramos una solicitud con ese número de trámite y ese número de documento. "
                                          + "Revise ambos datos.")
            }
            if record.state == .bajaSolicitada { return try statusView(record) }
            if !record.state.holdsButton && !record.state.isTerminal {
                throw EnrollmentError(.conflict, code: "sin_boton",
                                      "La solicitud \(record.tramite) todavía no tiene un botón de seguridad registrado: "
                                          + "no hay un botón que dar de baja. Si ya no desea continuar con el trámite, "
                                          + "dígalo al policía comunitario de la \(upcName(record.upcCode)) cuando le llame.")
            }
            var enrollment = try replay(record)
            try step(&enrollment, to: .bajaSolicitada, by: .ciudadano, at: at,
                     note: "Baja pedida en línea; falta confirmarla desde el botón o por la UPC", tramite: record.tramite)
            try store.appendTransition(enrollmentID: record.id!, enrollment.history.last!)
            try store.appendAudit(AuditEntry(at: at, actor: Author.ciudadano.storageForm, action: "solicitar_baja",
                                             subject: "solicitud:\(record.tramite)",
                                             detail: "estado_anterior=\(record.state)"))
            record.state = .bajaSolicitada
            record.updatedAt = at
            return try statusView(record)
        }
    }

    // MARK: Creation

    /// Within this many seconds an identical online submission (same citizen, line and address, still
    /// `ingresada`) returns the first one's número de trámite instead of creating a second request.
    static let resubmissionWindowSeconds: Int64 = 600

    /// Writes a validated request with its first step. `trustedIdentity`: an officer saw the document, so the
    /// citizen's personal data is updated from this form even if an earlier request verified it.
    func create(_ v: ValidatedEnrollment, first: Enrollment, intakeUPC: String?, usagePolicyExplained: Bool,
                trustedIdentity: Bool, officer: OperatorIdentity?, at: Timestamp) throws(EnrollmentError)
        -> EnrollmentRecord
    {
        try transaction { () throws -> EnrollmentRecord in
            let citizenID = try upsertCitizen(v, trusted: trustedIdentity, at: at)
            if officer == nil, let earlier = try store.recentOnlineSubmission(
                citizenID: citizenID, line: v.line.e164, homeAddress: v.homeAddress,
                since: at.adding(seconds: -Self.resubmissionWindowSeconds))
            {
                // The same form again (a double click, a retried POST): the same request, nothing new written.
                return earlier
            }
            let live = try store.liveEnrollment(line: v.line.e164)
            if live == nil {
                try store.upsertPhoneLine(e164: v.line.e164, kind: v.line.kind.rawValue, citizenID: citizenID,
                                          homeSubcircuit: v.homeArea.code.rawValue, homeLatitude: v.home.latitude,
                                          homeLongitude: v.home.longitude, at: at)
            }
            let year = CivilDate.ecuador(at).year
            guard let number = TramiteNumber(year: year, sequence: try store.nextTramiteSequence(year: year)) else {
                throw EnrollmentError(.unavailable, code: "tramite_exhausted",
                                      "No se pudo asignar un número de trámite. Intente de nuevo más tarde.")
            }
            var record = EnrollmentRecord(
                tramite: number.text, channel: first.channel, state: first.state,
                citizenID: citizenID, lineE164: v.line.e164, upcCode: v.homeArea.upc.rawValue,
                subcircuitCode: v.homeArea.code.rawValue, homeAddress: v.homeAddress, homeLatitude: v.home.latitude,
                homeLongitude: v.home.longitude, workAddress: v.workAddress, workLatitude: v.work?.latitude,
                workLongitude: v.work?.longitude, consentAt: at, usagePolicyAcceptedAt: at,
                usagePolicyExplained: usagePolicyExplained, linkedTo: live?.id, intakeUPCCode: intakeUPC,
                createdAt: at, updatedAt: at)
            let id = try store.insertEnrollment(record)
            record.id = id
            try store.appendTransition(enrollmentID: id, first.history[0])
            try store.insertContacts(enrollmentID: id, v.contacts.enumerated().map { i, c in
                EnrollmentContactRecord(position: i + 1, name: c.name.text, phone: c.phone.e164)
            })
            if let officer {
                try store.appendAudit(AuditEntry(
                    at: at, actor: officer.author.storageForm, action: "crear_solicitud_presencial",
                    subject: "solicitud:\(record.tramite)",
                    detail: "upc=\(record.upcCode)" + (intakeUPC.map { " upc_atencion=\($0)" } ?? "")
                        + (live.map { _ in " vinculada" } ?? "")))
            }
            return record
        }
    }

    /// The citizen's id: reused by document. Personal data is replaced from the form unless an officer has
    /// already verified this citizen and this form was not taken by an officer (an online form must not
    /// overwrite verified data).
    private func upsertCitizen(_ v: ValidatedEnrollment, trusted: Bool, at: Timestamp) throws -> Int64 {
        let nationality: String
        let number: String
        switch v.document {
        case .cedula(let c): (nationality, number) = (Country.ecuador.alpha2, c.number)
        case .pasaporte(let p): (nationality, number) = (p.nationality.alpha2, p.number)
        }
        var record = CitizenRecord(documentKind: v.document.kind.rawValue, documentKey: v.document.key,
                                   documentNumber: number, nationality: nationality, nombres: v.givenNames.text,
                                   apellidos: v.surnames.text, birthDate: v.birthDate.date.description,
                                   email: v.email?.text, createdAt: at)
        guard let existing = try store.citizen(documentKey: v.document.key), let id = existing.id else {
            return try store.insertCitizen(record)
        }
        if try trusted || !store.citizenHasBeenVerified(id: id) {
            record.id = id
            try store.updateCitizen(record)
        }
        return id
    }

    // MARK: Shared

    /// The request with this número de trámite whose citizen's document is `document`, else nil.
    func citizenRequest(tramite: String, document: String) throws -> EnrollmentRecord? {
        guard let number = try? TramiteNumber(tramite), let record = try store.enrollment(tramite: number.text),
              let citizen = try store.citizen(id: record.citizenID) else { return nil }
        let typed: String?
        if citizen.documentKind == IdentityDocument.Kind.cedula.rawValue {
            typed = (try? Cedula(document))?.number
        } else {
            // Passport numbers as Pasaporte normalizes them; spaces and dashes typed by habit are ignored.
            typed = String(document.trimmed.uppercased().filter { $0 != " " && $0 != "-" })
        }
        guard let typed, Digest.constantTimeEqual(Array(typed.utf8), Array(citizen.documentNumber.utf8)) else {
            return nil
        }
        return record
    }

    /// Rebuilds the state machine from the stored history (checking it with the domain's rules).
    func replay(_ record: EnrollmentRecord) throws -> Enrollment {
        let history = try store.transitions(enrollmentID: record.id!)
        do {
            return try Enrollment(replaying: history, usagePolicyExplained: record.usagePolicyExplained)
        } catch {
            throw StoreError(kind: .invalidData, message: "history of \(record.tramite) does not replay: \(error)")
        }
    }

    /// One transition by the domain's rules, its refusal in the service's terms.
    func step(_ enrollment: inout Enrollment, to next: EnrollmentState, by author: Author, at: Timestamp,
              note: String? = nil, tramite: String) throws(EnrollmentError) {
        do {
            try enrollment.transition(to: next, by: author, at: at, note: note)
        } catch {
            throw EnrollmentError.transition(error, tramite: tramite)
        }
    }

    func upcName(_ code: String) -> String {
        guard let parsed = try? UPCCode(code), let site = routing.territory.upc(parsed) else { return code }
        return site.name
    }

    func subcircuitName(_ code: String) -> String {
        guard let parsed = try? SubcircuitCode(code), let area = routing.territory.subcircuit(parsed) else {
            return code
        }
        return area.name
    }

    func statusView(_ record: EnrollmentRecord) throws -> EnrollmentStatusView {
        let state = record.state
        let upc = upcName(record.upcCode)
        var motivo: String?
        if state == .rechazada {
            motivo = try store.transitions(enrollmentID: record.id!).last(where: { $0.to == .rechazada })?.note
        }
        let mensaje: String
        switch state {
        case .ingresada:
            mensaje = "Su solicitud fue recibida. El policía comunitario de la \(upc) se comunicará con usted para "
                + "verificar sus datos."
        case .enVerificacion:
            mensaje = "El policía comunitario de la \(upc) está verificando sus datos."
        case .verificada:
            mensaje = "Sus datos fueron verificados. La \(upc) registrará su botón de seguridad y le indicará cómo "
                + "activarlo."
        case .registrada, .pruebaPendiente:
            mensaje = "Su botón de seguridad fue registrado. Haga la alerta de prueba como le indicó la \(upc); "
                + "cuando la UPC la confirme, el botón quedará activo."
        case .activa:
            mensaje = "Su botón de seguridad está activo. Úselo únicamente en situaciones de emergencia."
        case .suspendida:
            mensaje = "Su botón de seguridad está suspendido. Acérquese a la \(upc) para reactivarlo."
        case .rechazada:
            mensaje = "Su solicitud fue rechazada" + (motivo.map { ". Motivo: \($0)" } ?? "") + ". Puede presentar "
                + "una nueva solicitud o acercarse a cualquier Unidad de Policía Comunitaria."
        case .bajaSolicitada:
            let celular = (try? PhoneLine(record.lineE164))?.kind != .fijo
            mensaje = "Recibimos un pedido para dar de baja su botón de seguridad. Su botón sigue funcionando y "
                + "enviando alertas hasta que la baja se confirme. "
                + (celular
                    ? "Para confirmarla, abra la aplicación Botón de Seguridad en su celular y elija «Confirmar baja»; "
                        + "si no lo hace, el policía comunitario de la \(upc) llamará a su línea registrada para "
                        + "confirmarla con usted."
                    : "El policía comunitario de la \(upc) llamará a su línea registrada para confirmarla con usted.")
                + " Si usted no pidió la baja, no la confirme y dígalo a la UPC: su botón seguirá activo."
        case .dadaDeBaja:
            mensaje = "Su botón de seguridad fue dado de baja y ya no envía alertas."
        }
        return EnrollmentStatusView(tramite: record.tramite, state: state, estado: state.nombre,
                                    upcCode: record.upcCode, upcName: upc, createdAt: record.createdAt,
                                    updatedAt: record.updatedAt, motivo: motivo, mensaje: mensaje)
    }

    func summary(_ record: EnrollmentRecord) throws -> EnrollmentSummary {
        let state = record.state, channel = record.channel
        let linked = try record.linkedTo.flatMap { (id) throws(StoreError) in try store.enrollment(id: id)?.tramite }
        return EnrollmentSummary(
            tramite: record.tramite, state: state, estado: state.nombre, channel: channel, upcCode: record.upcCode,
            intakeUPCCode: record.intakeUPCCode, subcircuitCode: record.subcircuitCode,
            lineKind: (try? PhoneLine(record.lineE164))?.kind ?? .celular, linkedTo: linked,
            createdAt: record.createdAt, updatedAt: record.updatedAt, registeredAt: record.registeredAt)
    }

    /// Runs `body`, turning store failures into `unavailable`.
    func run<T>(_ body: () throws -> T) throws(EnrollmentError) -> T {
        do { return try body() } catch { throw Self.map(error) }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction; any error rolls it back.
    func transaction<T>(_ body: () throws -> T) throws(EnrollmentError) -> T {
        do { return try store.inTransaction(rethrowing: body) } catch { throw Self.map(error) }
    }

    static func map(_ error: any Error) -> EnrollmentError {
        switch error {
        case let e as EnrollmentError: return e
        case let e as StoreError: return .storage(e)
        default:
            return EnrollmentError(.unavailable, code: "internal",
                                   "No se pudo completar la operación. Intente de nuevo en unos minutos.",
                                   detail: "\(error)")
        }
    }
}
