public import BotonHTTP
import BotonCrypto
import BotonNet
public import BotonRepository
import Foundation
import Synchronization
public import BotonRuntime
public import BotonIngestion
public import BotonWebKit

/// What `/salud` and `/metrics` read: each a closure, so the routes do not own the parts they report on.
public struct ServiceProbe: Sendable {
    /// The schema version, or the store's error.
    public var store: @Sendable () -> Result<Int, StoreError>
    public var ingestion: @Sendable () -> IngestionStatus
    public var queueDepth: @Sendable () -> Int
    /// transport → bound port (read when asked: the web server binds after the probe is made).
    public var listeners: @Sendable () -> [String: Int]
    /// unit kind (zonas, subzonas, …) → count.
    public var territory: [String: Int]
    public var openIncidents: @Sendable () -> Int?
    public var web: WebMetrics?
    /// The service's components by name, and those that died since they started, with why (``ComponentGroup``).
    public var components: @Sendable () -> [String] = { [] }
    /// Log lines left out since start (the sink's buffer was full, or a burst was summarised).
    public var droppedLogLines: @Sendable () -> Int = { 0 }
    public var failedComponents: @Sendable () -> [(component: String, reason: String)] = { [] }
    /// Sign-in password checks done (unknown usernames included) and sign-ins refused while their address waited.
    public var signIns: @Sendable () -> (passwordChecks: Int, throttled: Int) = { (0, 0) }
    /// Whether this node runs the singleton jobs now (the cluster's leader), and what it is called; nil: no
    /// election (`/salud` then omits `cluster`).
    public var cluster: @Sendable () -> (leader: Bool, node: String)? = { nil }
    /// Whether level 3 of escalation has a central (`console.central_url`), and its outbox (nil: not readable now).
    /// Nil: not reported.
    public var central: (@Sendable () -> (configured: Bool, outbox: CentralOutbox?))?
    /// Senders silent now ("Sin señal"), by kind (`telefono`, `sitio`, `gateway`), as the supervision pass last
    /// read them; nil: not known (not read yet, or the store is unreadable).
    public var silentSenders: @Sendable () -> [String: Int]? = { nil }
    /// The PostgreSQL primary's synchronous replication (nil: SQLite, or not readable now).
    public var replication: @Sendable () -> StoreReplication? = { nil }

    public init(store: @escaping @Sendable () -> Result<Int, StoreError>,
                ingestion: @escaping @Sendable () -> IngestionStatus, queueDepth: @escaping @Sendable () -> Int,
                listeners: @escaping @Sendable () -> [String: Int], territory: [String: Int], openIncidents: @escaping @Sendable () -> Int?,
                web: WebMetrics?)
    {
        self.store = store
        self.ingestion = ingestion
        self.queueDepth = queueDepth
        self.listeners = listeners
        self.territory = territory
        self.openIncidents = openIncidents
        self.web = web
    }
}

/// `GET /salud` (health, JSON; 503 when the store cannot be read or the last commit failed) and `GET /metrics`
/// (Prometheus text format 0.0.4).
public enum SystemRoutes {
    struct Health: Encodable {
        struct Store: Encodable {
            let estado: String
            let esquema: Int?
            let error: String?
            /// PostgreSQL only. Informative: a primary without a synchronous standby still takes alerts.
            var replicacion: Replication? = nil
        }
        struct Replication: Encodable {
            /// A COMMIT waits for a standby (`synchronous_standby_names` is set).
            let sincrona: Bool
            /// Standbys streaming in sync now (omitted when this role may not read them).
            let replicasSincronas: Int?
            let mensaje: String?
            enum CodingKeys: String, CodingKey {
                case sincrona, mensaje
                case replicasSincronas = "replicas_sincronas"
            }
        }
        struct Ingestion: Encodable {
            let estado: String
            let recibidas: Int
            let aceptadas: Int
            let duplicadas: Int
            let ocupado: Int
            let rechazadas: [String: Int]
            let cola: Int
            let errorAlmacenamiento: String?
            enum CodingKeys: String, CodingKey {
                case estado, recibidas, aceptadas, duplicadas, ocupado, rechazadas, cola
                case errorAlmacenamiento = "error_almacenamiento"
            }
        }
        let estado: String
        /// When these figures were read (UTC, milliseconds): the route answers from the last reading.
        let medido: String
        let almacen: Store
        let ingesta: Ingestion
        let escuchas: [String: Int]
        let territorio: [String: Int]
        /// Components that stopped working on their own (omitted while every one runs).
        let componentesCaidos: [String: String]?
        /// This node's role among the nodes on one database: `lider` runs the singleton jobs (escalation, the
        /// central's outbox, the monthly close, receipt pruning), `seguidor` waits to take over.
        let cluster: Cluster?
        struct Cluster: Encodable {
            let rol: String
            let nodo: String
        }
        /// Where level 3 of escalation goes. Informative: it does not turn `estado` to error.
        var central: Central? = nil
        enum CodingKeys: String, CodingKey {
            case estado, medido, almacen, ingesta, escuchas, territorio, cluster, central
            case componentesCaidos = "componentes_caidos"
        }
    }

    struct Central: Encodable {
        /// `sin_central` (none configured: level 3 is recorded but sent nowhere), `ok`, `fallando` (notices tried
        /// without a 2xx are waiting) or `desconocido` (the outbox could not be read).
        let estado: String
        let configurada: Bool
        let pendientes: Int?
        let fallando: Int?
        let mensaje: String?
    }

    /// What `/salud` answers when the monitor has not read anything for too long.
    struct StaleHealth: Encodable {
        let estado: String
        let medido: String
        let error: String
    }

    /// Reads everything `/salud` reports, now (the store read is blocking: call it from a thread that may block).
    static func measureHealth(_ probe: ServiceProbe, measured: String) -> HTTPResponse {
        var store: Health.Store
            switch probe.store() {
            case .success(let version): store = .init(estado: "ok", esquema: version, error: nil)
            case .failure(let error): store = .init(estado: "error", esquema: nil, error: error.description)
            }
        if store.estado == "ok", let replication = probe.replication() {
            store.replicacion = Self.replication(replication)
        }
        let status = probe.ingestion()
        let ingestion = Health.Ingestion(
            estado: status.storageFailure == nil ? "ok" : "error", recibidas: status.received,
            aceptadas: status.accepted, duplicadas: status.duplicates, ocupado: status.busy,
            rechazadas: status.rejected, cola: probe.queueDepth(), errorAlmacenamiento: status.storageFailure)
        let failed = probe.failedComponents()
        let healthy = store.estado == "ok" && ingestion.estado == "ok" && !probe.territory.isEmpty && failed.isEmpty
        var health = Health(estado: healthy ? "ok" : "error", medido: measured, almacen: store,
                            ingesta: ingestion, escuchas: probe.listeners(), territorio: probe.territory,
                            componentesCaidos: failed.isEmpty
                                ? nil : Dictionary(failed.map { ($0.component, $0.reason) }) { first, _ in first },
                            cluster: probe.cluster().map { .init(rol: $0.leader ? "lider" : "seguidor", nodo: $0.node) })
        if let central = probe.central?() {
            if !central.configured {
                health.central = Central(estado: "sin_central", configurada: false, pendientes: nil, fallando: nil,
                                         mensaje: "No hay central configurada (console.central_url): las alertas que "
                                             + "llegan al nivel 3 de escalamiento no se envían a ninguna central.")
            } else if let outbox = central.outbox {
                health.central = Central(estado: outbox.failing > 0 ? "fallando" : "ok", configurada: true,
                                         pendientes: outbox.pending, fallando: outbox.failing, mensaje: nil)
            } else {
                health.central = Central(estado: "desconocido", configurada: true, pendientes: nil, fallando: nil,
                                         mensaje: nil)
            }
        }
        return jsonAnswer(health, status: healthy ? .ok : .serviceUnavailable)
    }

    /// What the operator is told of the primary's replication.
    static func replication(_ r: StoreReplication) -> Health.Replication {
        let message: String?
        if !r.isSynchronous {
            message = "Sin réplica síncrona (synchronous_standby_names vacío): cada alerta confirmada está en un solo "
                + "host. Tras una conmutación, reconstruya la réplica (pg_basebackup; en el clúster local, Scripts/cluster "
                + "rejoin) y vuelva a exigirla."
        } else if r.synchronousStandbys == 0 {
            message = "La réplica síncrona no está conectada: el primario no confirma ninguna transacción (ninguna "
                + "alerta) hasta que vuelva, o hasta vaciar synchronous_standby_names."
        } else {
            message = nil
        }
        return Health.Replication(sincrona: r.isSynchronous, replicasSincronas: r.synchronousStandbys, mensaje: message)
    }

    static func jsonAnswer(_ value: some Encodable, status: HTTPStatus) -> HTTPResponse {
        var response = (try? HTTPResponse.json(value, status: status)) ?? .status(.internalServerError)
        response.headers.replace(name: "Cache-Control", value: "no-store")
        return response
    }

    /// `/metrics` on the main ports: only over HTTPS with `Authorization: Bearer <http.metrics_token>` (compared in
    /// constant time, as SHA-256 digests so the length does not show either); 401 with `WWW-Authenticate`
    /// without it; 404 when no token is configured (the metrics listener, loopback by default, serves it then).
    public static func protectedMetrics(_ probe: ServiceProbe, token: String) -> RouteHandler {
        let open = metrics(probe)
        let expected = Digest.sha256(Array(token.utf8))
        return { request, parameters in
            guard !token.isEmpty else { return .status(.notFound) }
            let given = request.headers["Authorization"].flatMap { value -> String? in
                value.hasPrefix("Bearer ") ? String(value.dropFirst(7)) : nil
            } ?? ""
            guard request.isSecure, Digest.constantTimeEqual(Digest.sha256(Array(given.utf8)), expected) else {
                var response = HTTPResponse.text("Se requiere un token para /metrics.\n", status: .unauthorized)
                response.headers.replace(name: "WWW-Authenticate", value: "Bearer realm=\"metrics\"")
                return response
            }
            return try open(request, parameters)
        }
    }

    public static func metrics(_ probe: ServiceProbe) -> RouteHandler {
        { _, _ in
            var text = ""
            func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
                text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
                for (labels, value) in samples { text += "\(name)\(labels) \(value)\n" }
            }
            let status = probe.ingestion()
            metric("boton_frames_received_total", "counter", "Frames received on every transport.",
                   [("", String(status.received))])
            metric("boton_frames_accepted_total", "counter", "Frames stored and acknowledged as aceptada.",
                   [("", String(status.accepted))])
            metric("boton_frames_duplicate_total", "counter", "Retransmissions answered duplicada.",
                   [("", String(status.duplicates))])
            metric("boton_frames_busy_total", "counter", "Frames answered ocupado-reintente.",
                   [("", String(status.busy))])
            metric("boton_frames_rejected_total", "counter", "Frames rejected, by reason.",
                   status.rejected.sorted { $0.key < $1.key }.map { ("{reason=\"\($0.key)\"}", String($0.value)) })
            if let replication = probe.replication() {
                metric("boton_store_synchronous_commit", "gauge",
                       "1 when a COMMIT waits for a synchronous standby (PostgreSQL synchronous_standby_names set), 0 when "
                           + "a commit is on the primary alone.", [("", replication.isSynchronous ? "1" : "0")])
                if let standbys = replication.synchronousStandbys {
                    metric("boton_store_synchronous_standbys", "gauge", "Standbys streaming in sync with the primary now.",
                           [("", String(standbys))])
                }
            }
            metric("boton_ingest_commit_waiting_seconds", "gauge",
                   "How long the batch transaction in progress has been open, once longer than ingest.stalled_commit_ms "
                       + "(0 otherwise): nothing is acknowledged meanwhile.",
                   [("", String(format: "%.3f", Double(status.stalledCommitMilliseconds ?? 0) / 1000))])
            metric("boton_frames_unanswered_total", "counter",
                   "Datagrams left unanswered: their address had used its answer budget.",
                   [("", String(status.unanswered))])
            metric("boton_credential_reads_total", "counter",
                   "Credential reads by the listeners' cache (senders not cached, refreshes).",
                   [("", String(status.credentialReads))])
            metric("boton_frames_unverified_total", "counter",
                   "Frames dropped without a MAC check: their address sent too many wrong MACs for that sender.",
                   [("", String(status.unverified))])
            metric("boton_credential_read_budget_exceeded_total", "counter",
                   "Frames told to retry because the credential read budget was spent.",
                   [("", String(status.overReadBudget))])
            metric("boton_dc09_events_total", "counter",
                   "SIA DC-09 events stored and acknowledged, by event code (SIA XX, CID NNN) and what they did.",
                   status.dc09Events.sorted { $0.key < $1.key }.map { key, value in
                       let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                       return ("{code=\"\(parts[0])\",class=\"\(parts.count > 1 ? parts[1] : "")\"}", String(value))
                   })
            metric("boton_dc09_answers_total", "counter",
                   "SIA DC-09 messages answered without storing anything, by answer and reason.",
                   status.dc09Answers.sorted { $0.key < $1.key }.map { key, value in
                       let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                       return ("{answer=\"\(parts[0])\",reason=\"\(parts.count > 1 ? parts[1] : "")\"}",
                               String(value))
                   })
            metric("boton_commit_batches_total", "counter", "Group commits.", [("", String(status.batches))])
            metric("boton_commit_last_batch_frames", "gauge", "Frames in the last group commit.",
                   [("", String(status.lastBatchSize))])
            metric("boton_commit_last_seconds", "gauge", "Duration of the last group commit.",
                   [("", String(format: "%.6f", Double(status.lastCommitMicroseconds) / 1e6))])
            metric("boton_log_dropped_total", "counter", "Log lines left out (buffer full or burst summarised).",
                   [("", String(probe.droppedLogLines()))])
            let signIns = probe.signIns()
            metric("boton_sign_in_password_checks_total", "counter",
                   "Sign-in password checks (an unknown username costs one too).", [("", String(signIns.passwordChecks))])
            metric("boton_sign_in_throttled_total", "counter",
                   "Sign-ins refused because their address must wait for that username.", [("", String(signIns.throttled))])
            let failed = Set(probe.failedComponents().map(\.component))
            metric("boton_component_up", "gauge", "1 while the component runs, 0 once it died.",
                   probe.components().map { ("{component=\"\($0)\"}", failed.contains($0) ? "0" : "1") })
            metric("boton_commit_failing", "gauge", "1 while the last commit failed.",
                   [("", status.storageFailure == nil ? "0" : "1")])
            metric("boton_ingest_queue_depth", "gauge", "Frames waiting for the writer.",
                   [("", String(probe.queueDepth()))])
            if let cluster = probe.cluster() {
                metric("boton_leader", "gauge", "1 while this node runs the singleton jobs (the cluster's leader).",
                       [("", cluster.leader ? "1" : "0")])
            }
            if let silent = probe.silentSenders() {
                metric("boton_senders_silent", "gauge",
                       "Supervised senders silent past their interval plus grace (\"Sin señal\"), by kind.",
                       silent.sorted { $0.key < $1.key }.map { ("{kind=\"\($0.key)\"}", String($0.value)) })
            }
            if let open = probe.openIncidents() {
                metric("boton_incidents_open", "gauge", "Incidents not closed.", [("", String(open))])
            }
            if let web = probe.web {
                metric("boton_http_connections", "gauge", "Open HTTP connections.", [("", String(web.openConnections))])
                metric("boton_consoles_connected", "gauge", "Open event streams (consoles).",
                       [("", String(web.openStreams))])
                metric("boton_http_requests_total", "counter", "HTTP requests by route and status.",
                       web.requestCounts.map { ("{route=\"\($0.route)\",status=\"\($0.status)\"}", String($0.count)) })
            }
            var response = HTTPResponse.text(text)
            response.headers.replace(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            return response
        }
    }
}

/// Measures what `GET /salud` reports every `http.health_interval_ms` on a thread of its own, so the route answers
/// from memory without blocking: it runs on the web server's connection threads, which must never wait on SQLite
/// (a store read can wait up to `store.busy_timeout_ms` for a lock).
///
/// The answer is honest about its age: it carries `medido`, the time of the reading. If no reading has completed
/// for ``staleAfterMs`` (the monitor is stuck, for example on the store), the route answers 503 with the time of
/// the last one instead of repeating it as if it were current.
public final class HealthMonitor: Component {
    public let name = "health"
    private struct Reading: Sendable {
        var response: HTTPResponse
        var measuredAt: Int64
        var measuredText: String
    }

    private let probe: ServiceProbe
    public let intervalMs: Int
    /// A reading older than this is not served as current (four intervals, at least two seconds).
    public let staleAfterMs: Int
    private let clock: @Sendable () -> Int64
    private let latest = Mutex<Reading?>(nil)
    private let thread = ServiceThread(name: "boton-salud")

    /// `clock`: monotonic milliseconds (nil: the system's; tests pass their own).
    public init(probe: ServiceProbe, intervalMs: Int, clock: (@Sendable () -> Int64)? = nil) {
        self.probe = probe
        self.intervalMs = max(intervalMs, 1)
        staleAfterMs = max(4 * intervalMs, 2_000)
        self.clock = clock ?? { monotonicMilliseconds() }
    }

    /// Takes a reading now, on the calling thread.
    public func measure() {
        let text = Logger.timestamp()
        let response = SystemRoutes.measureHealth(probe, measured: text)
        let reading = Reading(response: response, measuredAt: clock(), measuredText: text)
        latest.withLock { $0 = reading }
    }

    /// Takes a reading at once (so `/salud` has one from the first request), then starts the `boton-salud` thread,
    /// which takes one every interval until ``stop()``.
    public func start() {
        measure()
        thread.start { [self] in
            while thread.pause(.milliseconds(intervalMs)) { measure() }
        }
    }

    public func stop() { thread.stop() }

    public var failure: String? { thread.failure }

    /// `GET /salud`, answered from the last reading: register it `nonBlocking`.
    public func route() -> RouteHandler {
        { [self] _, _ in
            guard let reading = latest.withLock({ $0 }) else {
                return SystemRoutes.jsonAnswer(
                    SystemRoutes.StaleHealth(estado: "error", medido: "", error: "sin medición todavía"),
                    status: .serviceUnavailable)
            }
            let age = clock() - reading.measuredAt
            guard age <= Int64(staleAfterMs) else {
                return SystemRoutes.jsonAnswer(
                    SystemRoutes.StaleHealth(estado: "error", medido: reading.measuredText,
                                             error: "sin medición reciente (última hace \(age) ms)"),
                    status: .serviceUnavailable)
            }
            return reading.response
        }
    }
}
