import BotonCore
import BotonCrypto
import BotonGeo
public import BotonHTTP
import BotonRepository
import Foundation
import Synchronization
public import BotonRuntime
public import BotonConsole
import BotonEnrollment
public import BotonWebKit

/// The UPC console over HTTP: the page `/consola`, its live feed `GET /consola/eventos` (Server-Sent Events, see
/// ``ConsoleFeed``), the JSON API `/api/v1/consola/…` for every action, the SVG sketch of an alert's place, and the
/// read-only audit log for administrators.
///
/// Sessions and CSRF are those of the officers' pages (``EnrollmentWeb``): no session → 401 (the page: 303 to the
/// sign-in); a state change without the session's `X-CSRF-Token` → 403. An alert outside the operator's scope
/// answers 404, like one that does not exist, and the attempt is audited.
public final class ConsoleWeb: Sendable {
    let web: EnrollmentWeb
    let feed: ConsoleFeed
    let escalator: Escalator?
    let jurisdictions: Jurisdictions
    let policy: ConsolePolicy
    let slaSeconds: Int
    /// `console.streams_per_session`, and the streams each session (by its token's hash) has open now.
    let streamsPerSession: Int
    let streamsOpen = Mutex<[[UInt8]: Int]>([:])
    /// Whether Leaflet is served (`/static/leaflet/`): the page then shows a map, else the sketch.
    let leaflet: Bool
    /// `console.map_tiles_url` (empty: the territory layer alone) and its host as a CSP source.
    let mapTilesURL: String
    let tileSource: String?

    public init(web: EnrollmentWeb, feed: ConsoleFeed, escalator: Escalator?, jurisdictions: Jurisdictions,
                configuration: Configuration.Console, leaflet: Bool = false)
    {
        self.leaflet = leaflet
        mapTilesURL = configuration.mapTilesURL
        tileSource = configuration.mapTilesSource
        self.web = web
        self.feed = feed
        self.escalator = escalator
        self.jurisdictions = jurisdictions
        policy = ConsolePolicy(configuration)
        slaSeconds = configuration.slaSeconds
        streamsPerSession = configuration.streamsPerSession
    }

    var logger: Logger { web.logger }

    /// The desk over `connection`, with the enrollment service on the same connection for *confirmar prueba*.
    private func desk(_ connection: any StoreConnection) -> IncidentDesk {
        IncidentDesk(store: connection,
                     enrollments: EnrollmentActivationService(
                        service: EnrollmentService(store: connection, routing: web.routing, logger: logger)),
                     jurisdictions: jurisdictions, policy: policy, logger: logger)
    }

    /// Runs `body` with a desk over a connection lent for it.
    func withDesk<T>(_ body: (IncidentDesk) throws(ConsoleError) -> T) throws(ConsoleError) -> T {
        try web.store.withConnection({ (connection) throws(ConsoleError) -> T in try body(desk(connection)) },
                                     unavailable: { ConsoleError.storage($0) })
    }

    /// ``withDesk(_:)`` for handlers whose other steps throw errors of their own.
    func withAnyDesk<T>(_ body: (IncidentDesk) throws -> T) throws -> T {
        try web.store.withConnection({ (connection) throws -> T in try body(desk(connection)) },
                                     unavailable: { ConsoleError.storage($0) as any Error })
    }

    /// The `/consola/eventos` stream route (installed as an event stream of the web server).
    public var eventStream: EventStreamRoute {
        { [self] request in
            let session: OfficerSession?
            do throws(StoreError) {
                session = try web.store.withConnection { (connection) throws(StoreError) in try web.sessions.current(request, store: connection, at: web.clock()) }
            } catch {
                throw HTTPError(.serviceUnavailable, "Servicio no disponible; la consola reintentará.")
            }
            guard let session else { throw HTTPError(.unauthorized, "Inicie sesión para ver la consola.") }
            // A console per screen is plenty: one session cannot hold the feed's attention with many streams.
            guard streamsOpen.withLock({ $0[session.tokenHash, default: 0] }) < streamsPerSession else {
                logger.warning("console_streams_refused", ["operator": String(session.identity.id),
                                                           "open": String(streamsPerSession)])
                throw HTTPError(.tooManyRequests, "Esta sesión ya tiene \(streamsPerSession) consolas abiertas. "
                                + "Cierre alguna e intente de nuevo.")
            }
            // Every stream starts with a replay, read off the live feed by a few threads: past
            // `console.replay_backlog` replays running or waiting, the page tries again later (it reconnects).
            guard feed.acceptsReplay else {
                logger.warning("console_replay_refused", ["operator": String(session.identity.id),
                                                          "in_progress": String(feed.replaysInProgress)])
                throw HTTPError(.serviceUnavailable, "Muchas consolas se están conectando; reintente en unos segundos.",
                                headers: ["Retry-After": "3"])
            }
            let last = request.header("Last-Event-ID").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            let scope = ConsoleScope(session.identity, simulacros: Self.simulacros(request))
            let token = session.tokenHash
            return EventStreamStart(
                headers: ["Cache-Control": "no-store"],
                attach: { [self] sink in
                    streamsOpen.withLock { $0[token, default: 0] += 1 }
                    feed.add(sink, scope: scope, tokenHash: token, expiresAt: session.expiresAt, lastEventID: last)
                },
                detach: { [self] sink in
                    streamsOpen.withLock { counts in
                        counts[token, default: 1] -= 1
                        if counts[token] == 0 { counts[token] = nil }
                    }
                    feed.remove(sink)
                })
        }
    }

    public func install(into router: inout Router) {
        router.get("/consola", web.officerPage { [self] _, _, context, _ in page(context) })
        router.get("/api/v1/consola/alertas", web.officerAPI { [self] request, _, session in
            try run {
                let scope = ConsoleScope(session.identity, simulacros: Self.simulacros(request))
                let list = try withDesk { (desk) throws(ConsoleError) in
                    try desk.list(for: session.identity, simulacros: scope.simulacros, at: web.clock())
                }
                feed.listed(list, by: scope)
                return try EnrollmentWeb.json(ConsoleJSON.List(alertas: list.map { alert($0, scope) }))
            }
        })
        router.get("/api/v1/consola/alertas/:id", web.officerAPI { [self] _, parameters, session in
            try run {
                let id = try Self.id(parameters)
                let (dossier, lineHome) = try withDesk { (desk) throws(ConsoleError) -> (IncidentDossier, GeoPoint?) in
                    let dossier = try desk.dossier(id, for: session.identity, at: web.clock())
                    return (dossier, Self.registeredPosition(dossier, desk))
                }
                feed.listed([dossier.incident], by: ConsoleScope(session.identity))
                logger.info("incident_viewed", ["incident": String(id), "operator": String(session.identity.id)])
                return try EnrollmentWeb.json(ConsoleJSON.Dossier(dossier, upcName: jurisdictions.upcName(dossier.incident.upcCode),
                                                                  scope: ConsoleScope(session.identity), lineHome: lineHome))
            }
        })
        router.get("/consola/alertas/:id/croquis.svg", web.officerAPI { [self] _, parameters, session in
            try run { try sketch(try Self.id(parameters), session) }
        })
        router.get("/api/v1/consola/alertas/:id/mapa", web.officerAPI { [self] _, parameters, session in
            try run {
                let id = try Self.id(parameters)
                let answer = try withAnyDesk { desk in
                    let record = try desk.incident(id, for: session.identity, at: web.clock())
                    // An alert routed without a subcircuito (nearest UPC, central) shows the registered address's.
                    let home = record.subcircuitCode == nil
                        ? (try? desk.store.lineHome(e164: record.lineE164))?.subcircuit : nil
                    return ConsoleMap.answer(for: record, home: home, jurisdictions: jurisdictions)
                }
                var response = try EnrollmentWeb.json(answer)
                response.headers.replace(name: "Cache-Control", value: "private, max-age=300")
                return response
            }
        })
        router.post("/api/v1/consola/alertas/:id/:accion", web.officerAPI { [self] request, parameters, session in
            try run { try action(parameters["accion"] ?? "", id: try Self.id(parameters), request, session) }
        })
        router.post("/api/v1/consola/lineas/:linea/levantar-suspension", web.officerAPI { [self] request, parameters, session in
            try run {
                let body = try EnrollmentWeb.jsonObject(request)
                let line: PhoneLine
                do throws(PhoneLineError) { line = try PhoneLine(parameters["linea"] ?? "") } catch {
                    throw ConsoleError(.invalid, code: "linea_invalida", error.mensaje)
                }
                try withDesk { (desk) throws(ConsoleError) in try desk.liftSuspension(line: line.e164, reason: body["motivo"]?.text ?? "", by: session.identity,
                                          at: web.clock()) }
                logger.info("suspension_lifted", ["line": line.e164, "operator": String(session.identity.id)])
                return try EnrollmentWeb.json(["mensaje": "Suspensión de la línea \(line.nationalFormat) levantada."])
            }
        })
        router.get("/api/v1/consola/sin-senal", web.officerAPI { [self] _, _, session in
            let silent: [SupervisedSender]
            do throws(StoreError) {
                silent = try silentSenders(for: ConsoleScope(session.identity))
            } catch {
                throw EnrollmentError.storage(error)
            }
            return try EnrollmentWeb.json(ConsoleJSON.Silent(sin_senal: silent.map { sender in
                ConsoleJSON.SilentSender(
                    tipo: sender.kind.rawValue, tipo_nombre: sender.kind.label, id: sender.sender,
                    nombre: sender.label, upc: sender.upcCode, upc_nombre: jurisdictions.upcName(sender.upcCode),
                    sin_senal_desde: APITime.text(sender.silentSince ?? sender.silentAt),
                    ultima_senal: APITime.text(sender.lastSeenAt), intervalo_s: sender.intervalSeconds,
                    latitud: sender.latitude, longitud: sender.longitude)
            }))
        })
        router.get("/api/v1/auditoria", web.officerAPI { [self] request, _, session in
            guard session.identity.role == .administrador else {
                throw APIFailure(status: .forbidden, code: "solo_administrador",
                                 mensaje: "Solo un administrador puede leer el registro de auditoría.")
            }
            let limit = min(max(Int(request.query("limite") ?? "") ?? 200, 1), 5_000)
            let entries: [AuditEntry]
            do throws(StoreError) {
                entries = try web.store.withConnection { (connection) throws(StoreError) in try connection.auditEntries(subject: request.query("sujeto"), limit: limit) }
            } catch {
                throw EnrollmentError.storage(error)
            }
            return try EnrollmentWeb.json(ConsoleJSON.Audit(registros: entries.map {
                .init(id: $0.id ?? 0, en: APITime.text($0.at), actor: $0.actor, accion: $0.action, sujeto: $0.subject,
                      detalle: $0.detail)
            }))
        })
    }

    /// `?simulacion=1`: the console also lists and streams the load generator's simulated alerts.
    static func simulacros(_ request: HTTPRequest) -> Bool { request.query("simulacion") == "1" }

    /// How many silent senders one console lists at most (the longest silent first).
    static let silentListLimit = 200

    /// The senders "Sin señal" an operator's console lists: an operador's own UPC, a supervisor's distrito, every
    /// UPC (and the central, where gateways are) for an administrador.
    func silentSenders(for scope: ConsoleScope) throws(StoreError) -> [SupervisedSender] {
        let upcs: [String]?
        switch scope.kind {
        case .nacional: upcs = nil
        case .ninguno: return []
        case .upc(let code): upcs = [code]
        case .distrito(let code): upcs = jurisdictions.upcs(inDistrict: code)
        }
        return try web.store.withConnection { (connection) throws(StoreError) in
            try connection.silentSenders(upcs: upcs, limit: Self.silentListLimit)
        }
    }

    // MARK: Handlers

    private func action(_ name: String, id: Int64, _ request: HTTPRequest, _ session: OfficerSession) throws
        -> HTTPResponse
    {
        let body = try EnrollmentWeb.jsonObject(request, allowEmpty: true)
        let officer = session.identity
        let scope = ConsoleScope(officer)
        return try withAnyDesk { desk in
            let now = web.clock()
            let response: HTTPResponse
            switch name {
            case "tomar":
                let r = try desk.take(id, by: officer, at: now)
                response = try EnrollmentWeb.json(ConsoleJSON.Action(alerta: alert(r, scope), mensaje: "Alerta \(id) tomada."))
            case "despachar":
                let r = try desk.dispatch(id, unit: body["unidad"]?.text ?? "", by: officer, at: now)
                response = try EnrollmentWeb.json(ConsoleJSON.Action(alerta: alert(r, scope),
                                                                     mensaje: "Unidad \(r.unit ?? "") despachada."))
            case "nota":
                let r = try desk.note(id, text: body["texto"]?.text ?? "", by: officer, at: now)
                response = try EnrollmentWeb.json(ConsoleJSON.Action(alerta: alert(r, scope), mensaje: "Nota registrada."))
            case "cerrar":
                guard let outcome = (body["resultado"]?.text).flatMap(IncidentOutcome.init(rawValue:)) else {
                    throw ConsoleError(.invalid, code: "resultado_invalido",
                                       "Indique el resultado: atendida, falsa_alarma, cancelada_por_ciudadano, "
                                           + "no_localizada o prueba.")
                }
                let c = try desk.close(id, outcome: outcome, note: body["nota"]?.text, by: officer, at: now)
                var message = "Alerta \(id) cerrada: \(outcome.nombre.lowercased())."
                if c.lineSuspended {
                    message += " La línea acumula \(c.falseAlarms) falsas alarmas y quedó suspendida: sus alertas se "
                        + "seguirán recibiendo y mostrando, marcadas."
                }
                response = try EnrollmentWeb.json(ConsoleJSON.Closing(alerta: alert(c.incident, scope),
                                                                      lineaSuspendida: c.lineSuspended,
                                                                      falsasAlarmas: c.falseAlarms, mensaje: message))
            case "confirmar-prueba":
                let (r, tramite) = try desk.confirmTest(id, by: officer, at: now)
                response = try EnrollmentWeb.json(ConsoleJSON.Action(
                    alerta: alert(r, scope), mensaje: "Prueba confirmada: la solicitud \(tramite) está activa."))
            default:
                throw APIFailure(status: .notFound, code: "accion_desconocida",
                                 mensaje: "Acción desconocida: use tomar, despachar, nota, cerrar o confirmar-prueba.")
            }
            feed.changed()
            logger.info("incident_action", ["incident": String(id), "action": name, "operator": String(officer.id)])
            return response
        }
    }

    private func sketch(_ id: Int64, _ session: OfficerSession) throws -> HTTPResponse {
        return try withAnyDesk { desk in
            let record = try desk.incident(id, for: session.identity, at: web.clock())
            let positions: [IncidentPositionRecord]
            let enrollment: EnrollmentRecord?
            do throws(StoreError) {
                positions = try desk.store.incidentPositions(incident: id)
                enrollment = try desk.store.latestRegisteredEnrollment(line: record.lineE164)
            } catch {
                throw ConsoleError.storage(error)
            }
            let lineHome = try? desk.store.lineHome(e164: record.lineE164)
            let area = record.subcircuitCode.flatMap { jurisdictions.area($0) }
                ?? enrollment.flatMap { jurisdictions.area($0.subcircuitCode) }
                ?? lineHome.flatMap { $0.subcircuit }.flatMap { jurisdictions.area($0) }
            var home = enrollment.map { GeoPoint(latitude: $0.homeLatitude, longitude: $0.homeLongitude) }
            if home == nil, let h = lineHome, let lat = h.latitude, let lon = h.longitude {
                home = GeoPoint(latitude: lat, longitude: lon)
            }
            let svg = IncidentSketch.svg(
                area: area, positions: positions.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) },
                home: home)
            var response = HTTPResponse(status: .ok, body: Array(svg.utf8))
            response.headers.replace(name: "Content-Type", value: "image/svg+xml; charset=utf-8")
            response.headers.replace(name: "Cache-Control", value: "no-store")
            return response
        }
    }

    /// A line registered without an enrollment (provisioned, not a DC-09 site) still has the position of its
    /// address: the map shows it. Nil when the dossier has the enrollment's address, or none is known.
    static func registeredPosition(_ dossier: IncidentDossier, _ desk: IncidentDesk) -> GeoPoint? {
        guard dossier.enrollment == nil, dossier.incident.site == nil else { return nil }
        let home: (subcircuit: String?, latitude: Double?, longitude: Double?)?
        do { home = try desk.store.lineHome(e164: dossier.incident.lineE164) } catch { return nil }
        guard let lat = home?.latitude, let lon = home?.longitude else { return nil }
        return GeoPoint(latitude: lat, longitude: lon)
    }

    func alert(_ r: IncidentRecord, _ scope: ConsoleScope) -> ConsoleEventJSON.Alert {
        var a = ConsoleEventJSON.Alert(r, upcName: jurisdictions.upcName(r.upcCode))
        a.propia = scope.propia(r)
        return a
    }

    static func id(_ parameters: RouteParameters) throws -> Int64 {
        guard let text = parameters["id"], let id = Int64(text), id > 0 else {
            throw APIFailure(status: .notFound, code: "alerta_no_encontrada", mensaje: "No existe esa alerta.")
        }
        return id
    }

    /// Maps a ``ConsoleError`` to the API's refusal.
    func run(_ body: () throws -> HTTPResponse) throws -> HTTPResponse {
        do {
            return try body()
        } catch let error as ConsoleError {
            if error.kind == .unavailable {
                logger.error("console_unavailable", ["code": error.code, "detail": error.detail ?? "-"])
            }
            throw APIFailure(status: error.kind.status, code: error.code, mensaje: error.mensaje)
        }
    }
}

/// *Confirmar prueba* as the console's desk needs it, over the enrollment service of the same connection.
struct EnrollmentActivationService: EnrollmentActivation {
    let service: EnrollmentService

    func confirmTest(_ tramite: String, by officer: OperatorIdentity, at: Timestamp,
                     closingTestAlert: (Int64) throws -> Void) throws(ConsoleError) {
        // The desk's own refusal (or a store failure) while closing the alert, as it was.
        var deskError: ConsoleError?
        do {
            _ = try service.confirmTest(tramite, by: officer, at: at) { id in
                do { try closingTestAlert(id) } catch let error as ConsoleError {
                    deskError = error
                    throw error
                }
            }
        } catch {
            if let deskError { throw deskError }
            if error.kind == .unavailable { throw ConsoleError(.unavailable, code: error.code, error.mensaje,
                                                               detail: error.detail) }
            throw ConsoleError(error.kind == .forbidden ? .forbidden : .conflict, code: error.code, error.mensaje)
        }
    }
}

/// The web server's event streams are what the console feed writes to.
extension EventSink: ConsoleStream {}

extension EnrollmentWeb {
    /// *Confirmar prueba* from the request page or the officer's API: the request becomes `activa` and its test
    /// alert is closed with outcome `prueba` (taken first if nobody had), in the enrollment service's one
    /// transaction on `connection` — the same as confirming from the console. The consoles see the closing at the
    /// feed's next read (it reads at least once a second).
    static func confirmTest(_ tramite: String, by officer: OperatorIdentity, at: Timestamp,
                            connection: any StoreConnection, logger: Logger, routing: RoutingTable)
        throws(EnrollmentError) -> EnrollmentSummary
    {
        let service = EnrollmentService(store: connection, routing: routing, logger: logger)
        return try service.confirmTest(tramite, by: officer, at: at) { id in
            do {
                try IncidentDesk.closeConfirmedTest(id, tramite: tramite, store: connection, by: officer, at: at)
            } catch let error as ConsoleError {
                throw EnrollmentError(error.kind == .unavailable ? .unavailable : .conflict, code: error.code,
                                      error.mensaje, detail: error.detail)
            }
        }
    }
}
