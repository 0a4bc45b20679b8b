import BotonConsole
import BotonCore
import BotonCrypto
import BotonEnrollment
import BotonGeo
import BotonHTTP
import BotonIngestion
import BotonNet
import BotonRepository
public import BotonRuntime
import BotonStatistics
import BotonStore
import BotonWeb
import BotonWebKit
import Foundation
import Synchronization

/// The running service, and the composition root: the one place that names every concrete type (the SQLite store,
/// the listeners, the web server) and wires the capabilities together.
///
/// Lifecycle: ``start()`` opens the store, loads the territory into the routing table, then starts the components
/// in order through one ``ComponentGroup`` (WAL checkpoints, the leader election, ingestion with its listeners,
/// console feed, escalation, health readings, web server, monthly close) and logs one `ready` line; ``stop(reason:)`` stops them
/// in reverse. `boton serve` calls `start()`, waits for SIGINT/SIGTERM on the main thread, then `stop(reason:)`.
/// A component whose thread dies turns `/salud` to 503 naming it, and its `boton_component_up` gauge to 0.
public final class BotonServer {
    public let configuration: Configuration
    public let logger: Logger
    private var group: ComponentGroup?

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func start() throws {
        let began = ContinuousClock.now
        let descriptors = DescriptorLimit.raiseToHardLimit()
        if let shortfall = DescriptorLimit.shortfall(ingest: configuration.ingest.maxConnections,
                                                     http: configuration.http.maxConnections, limit: descriptors.soft) {
            throw StartupError(shortfall)
        }
        logger.info("descriptors", ["limit": String(descriptors.soft), "hard": String(descriptors.hard),
                                    "ingest.max_connections": String(configuration.ingest.maxConnections),
                                    "http.max_connections": String(configuration.http.maxConnections),
                                    "reserve": String(DescriptorLimit.reserve)])
        let settings = configuration.store
        let (store, housekeeping) = try configuration.makeStoreProvider(logger: logger)
        // A store that cannot serve (a malformed connection string, no server, wrong credentials, a standby that
        // only reads, another schema version) stops the start with a message naming the setting.
        let (territory, version, location) = try configuration.startingStore { () throws(StoreError) in
            try store.withConnection { (connection) throws(StoreError) in
                try connection.requireCurrentSchema()
                try configuration.requireWritable(connection)
                return (try connection.loadTerritory(), try connection.schemaVersion(), connection.location)
            }
        }
        guard !territory.units.isEmpty else {
            throw StartupError("the database has no territory: run 'boton territory import' (Scripts/run does it)")
        }
        let routing = RoutingTable(territory: try Territory(snapshot: territory), configuration: configuration.territory)
        if settings.synchronous != "full" {
            logger.warning("not_durable", ["store.synchronous": settings.synchronous,
                                           "meaning": "acknowledged alerts can be lost on power failure; benchmarks only"])
        }
        let group = ComponentGroup(logger: logger)
        // The store's own housekeeping first (SQLite: WAL checkpoints, since the writer never checkpoints), and
        // stopped last.
        for component in housekeeping { group.add(component) }
        // Which node runs the singleton jobs (escalation and the central's outbox, the monthly close, receipt
        // pruning): started before them, stopped after them (then it releases the lock). Alone on SQLite: always.
        let election = LeaderElection(open: configuration.makeLeaderLockOpener(),
                                      checkInterval: .milliseconds(configuration.cluster.leaderCheckMilliseconds),
                                      logger: logger)
        group.add(election)
        let isLeader: @Sendable () -> Bool = { election.isLeader }
        // The writer gets its own connection: it is the only one that writes alerts.
        // PostgreSQL: after a failover its connection is dead (or on a standby); the writer opens a new one, which
        // the multi-host connection string points at the new primary.
        let reconnect: (@Sendable () throws(StoreError) -> any IngestionStore)?
        if settings.backend == .postgresql {
            let configuration = self.configuration
            reconnect = { () throws(StoreError) -> any IngestionStore in
                do throws(StoreError) {
                    return try store.open(.ingestionWriter)
                } catch {
                    throw configuration.namingSetting(error)
                }
            }
        } else {
            reconnect = nil
        }
        let intake = try IngestionListeners(
            store: try configuration.startingStore { () throws(StoreError) in try store.open(.ingestionWriter) },
            readers: store, routing: routing, configuration: configuration, logger: logger, reconnect: reconnect,
            isLeader: isLeader)
        let pipeline = intake.pipeline
        group.add(intake)
        // The console: its feed and the escalation timer read what ingestion commits.
        let jurisdictions = Jurisdictions(territory: routing.territory)
        let feed = ConsoleFeed(store: store, jurisdictions: jurisdictions, configuration: configuration.console,
                               logger: logger, markShown: { pipeline.markShown($0) })
        let escalator = Escalator(store: store, jurisdictions: jurisdictions, configuration: configuration.console,
                                  feed: feed, logger: logger, intakeBusy: { pipeline.queueDepth > 0 },
                                  isLeader: isLeader)
        // Only the feed is woken by commits. The escalator is not: a new alert falls due console.sla_s after it
        // arrived, and the escalator looks again at least once a second anyway (waking it on every commit made it
        // scan every waiting alert a thousand times a second under load).
        pipeline.subscribe { _ in feed.changed() }
        group.add(feed)
        // Several nodes: the other nodes' commits wake this node's feed too (NOTIFY, a hint; the table is the truth).
        if let open = configuration.makeChangeNotificationsOpener() {
            group.add(FeedWakeUp(open: open, wake: { feed.changed() }, logger: logger))
        }
        group.add(escalator)
        // Supervision of every sender: a singleton pass on the leader marks who fell silent; every node reads the
        // counts for /metrics.
        let supervisor = SenderSupervisor(store: store, configuration: configuration.supervision, logger: logger,
                                          isLeader: isLeader)
        group.add(supervisor)
        let ports = PortBook()
        let (web, health, probe) = try makeWebServer(store: store, pipeline: pipeline, routing: routing, ports: ports,
                                                     feed: feed, escalator: escalator, supervisor: supervisor,
                                                     jurisdictions: jurisdictions, group: group, election: election)
        let metricsServer = try makeMetricsServer(probe: probe, health: health)
        group.add(health)
        group.add(web)
        group.add(metricsServer)
        let closer = MonthlyCloser(store: store, settings: StatisticsSettings(configuration.stats),
                                   interval: .seconds(configuration.stats.closeCheckMinutes * 60), logger: logger,
                                   isLeader: isLeader)
        group.add(closer)
        // A node that becomes the leader looks at once for what fell due while another led (or nobody did).
        election.onChange { leader in
            guard leader else { return }
            escalator.changed()
            closer.changed()
            supervisor.changed()
        }
        let listeners = intake.listeners + [("http", web.address)] + (web.secureAddress.map { [("https", $0)] } ?? [])
            + [("metrics", metricsServer.address)]
        ports.ports.withLock { book in for (name, address) in listeners { book[name] = address.port } }
        try group.start()
        self.group = group
        for (transport, address) in listeners {
            logger.info("listening", ["transport": transport, "address": address.description,
                                      "port": String(address.port)])
        }
        let elapsed = ContinuousClock.now - began
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let t = routing.territory
        logger.info("ready", [
            "database": location, "backend": configuration.store.backend.rawValue, "schema": String(version),
            "zonas": String(t.zones.count), "subzonas": String(t.subzones.count),
            "distritos": String(t.districts.count), "circuitos": String(t.circuits.count),
            "subcircuitos": String(t.subcircuits.count), "upcs": String(t.upcs.count),
            "startup_ms": String(ms),
        ])
    }

    /// The web server: health, metrics, the HTTPS alert intake, the static assets, and one route collection per
    /// capability (enrollment, statistics and quejas, console).
    private func makeWebServer(store: any StoreProvider, pipeline: IngestionPipeline, routing: RoutingTable,
                               ports: PortBook, feed: ConsoleFeed, escalator: Escalator, supervisor: SenderSupervisor,
                               jurisdictions: Jurisdictions, group: ComponentGroup, election: LeaderElection)
        throws -> (WebServer, HealthMonitor, ServiceProbe)
    {
        let territory = routing.territory
        let http = configuration.http
        let tls = try TLSContext(certificatePath: configuration.resolve(configuration.ingest.tlsCertificate),
                                 keyPath: configuration.resolve(configuration.ingest.tlsKey))
        var settings = WebSettings(
            host: http.host, port: http.port, tls: (http.tlsPort, tls),
            limits: HTTPLimits(headerBytes: http.maxHeaderBytes, bodyBytes: http.maxBodyBytes),
            headerTimeoutMs: http.headerTimeoutMilliseconds, idleTimeoutMs: http.idleTimeoutSeconds * 1000,
            maxConnections: http.maxConnections, workers: http.workers,
            connectionThreads: http.connectionThreads == 0 ? ProcessInfo.processInfo.activeProcessorCount
                : http.connectionThreads,
            heartbeatMs: configuration.console.heartbeatSeconds * 1000)
        settings.writeTimeoutMs = http.writeTimeoutSeconds * 1000
        settings.maxConnectionsPerAddress = http.maxConnectionsPerAddress
        settings.firstByteTimeoutMs = http.firstByteTimeoutSeconds * 1000
        let metrics = WebMetrics()
        let configuration = self.configuration
        var probe = ServiceProbe(
            store: {
                do throws(StoreError) {
                    return .success(try store.withConnection { (connection) throws(StoreError) in
                        try connection.schemaVersion()
                    })
                } catch {
                    return .failure(configuration.namingSetting(error))
                }
            },
            ingestion: { pipeline.status }, queueDepth: { pipeline.queueDepth },
            listeners: { ports.ports.withLock { $0 } },
            territory: ["zonas": territory.zones.count, "subzonas": territory.subzones.count,
                        "distritos": territory.districts.count, "circuitos": territory.circuits.count,
                        "subcircuitos": territory.subcircuits.count, "upcs": territory.upcs.count],
            openIncidents: {
                try? store.withConnection { (connection) throws(StoreError) in try connection.openIncidentCount() }
            },
            web: metrics)
        // Weak: the group holds the health monitor, which holds this probe.
        probe.failedComponents = { [weak group] in group?.failures ?? [] }
        probe.components = { [weak group] in group?.names ?? [] }
        probe.cluster = { [weak election] in election.map { ($0.isLeader, $0.node) } }
        probe.silentSenders = { [weak supervisor] in
            supervisor?.silentCounts.map { counts in
                Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
            }
        }
        if configuration.store.backend == .postgresql {
            // SQLite has nothing to report: no connection is borrowed for it at every reading.
            probe.replication = {
                try? store.withConnection { (connection) throws(StoreError) in try connection.replication() } ?? nil
            }
        }
        let logger = self.logger
        probe.droppedLogLines = { logger.droppedLines }
        let throttle = SignInThrottle(policy: SignInThrottle.Policy(
            freeFailures: http.loginThrottleFailures, baseSeconds: http.loginThrottleBaseSeconds,
            maxSeconds: http.loginThrottleMaxSeconds))
        probe.signIns = { (throttle.passwordChecks, throttle.throttledAttempts) }
        let hasCentral = escalator.hasCentral
        probe.central = {
            (hasCentral, hasCentral ? try? store.withConnection { (connection) throws(StoreError) in
                try connection.centralOutbox()
            } : nil)
        }
        var router = Router(onError: { request, error in
            logger.error("http_handler_failed", ["path": request.path, "error": String(describing: error)])
            return .text("Error interno. Intente de nuevo.\n", status: .internalServerError)
        })
        router.use(.requestID())
        router.use(metrics.accessLog(logger))
        router.use(.securityHeaders())
        // Finding 11: officers, consoles and citizens' personal data only over HTTPS. What stays on plain HTTP: the
        // phones' alert intake (an app falling back to HTTP must not lose an alert to a redirect it may not follow),
        // health for probes, static files, and the public statistics (no personal data, and links to them live on).
        router.use(.https(HTTPSPolicy(
            redirect: http.redirectToHTTPS, publicOrigin: http.publicHTTPSOrigin.isEmpty ? nil : http.publicHTTPSOrigin,
            httpsPort: { ports.ports.withLock { $0["https"] } }, hstsMaxAgeSeconds: http.hstsMaxAgeSeconds,
            plainPaths: ["/api/v1/alertas", "/salud", "/static/", "/transparencia", "/transparencia/",
                         "/api/v1/estadisticas", "/favicon.ico"])))
        let health = HealthMonitor(probe: probe, intervalMs: http.healthIntervalMilliseconds)
        // Non-blocking routes are answered on the connection threads; the rest go to the worker pool (the
        // BotonApp DocC page, "Threads").
        router.get("/salud", nonBlocking: true, health.route())
        // Counts open incidents in the store. On the main ports only with the bearer token; the metrics listener
        // (makeMetricsServer) serves it to whoever reaches its address.
        router.get("/metrics", SystemRoutes.protectedMetrics(probe, token: http.metricsToken))
        router.post("/api/v1/alertas", AlertIntake.route(pipeline: pipeline))
        let leafletDirectory = configuration.resolve(configuration.console.leafletDirectory)
        let assets = StaticAssets(leafletDirectory: leafletDirectory)
        if !assets.hasLeaflet {
            // The console still works: the dossier shows the server-drawn sketch instead of the map.
            logger.warning("leaflet_missing", [
                "directory": leafletDirectory, "files": StaticAssets.leafletFiles.joined(separator: ","),
                "effect": "console_without_map", "fix": "apt-get install libjs-leaflet or set console.leaflet_dir"])
        }
        router.get("/static/*ruta", nonBlocking: true, assets.route())
        // The forms' CSRF key lives in the database, so that open pages still work after a restart.
        let csrfKey = try store.withConnection({ (connection) throws -> [UInt8] in
            try connection.serverSecret("csrf", at: SystemClock.now()) { try Digest.randomBytes(32) }
        }, unavailable: { $0 as any Error })
        let enrollment = EnrollmentWeb(
            routing: routing, store: store, csrf: CSRFGuard(key: csrfKey), sessions: Sessions(hours: http.sessionHours),
            formLimiter: RateLimiter(burst: http.formRateBurst, perMinute: http.formRatePerMinute),
            statusLimiter: RateLimiter(burst: http.formRateBurst, perMinute: http.formRatePerMinute),
            loginLimiter: RateLimiter(burst: http.loginRateBurst, perMinute: http.loginRatePerMinute),
            attemptLimiter: RateLimiter(burst: http.tramiteAttemptsBurst, perHour: http.tramiteAttemptsPerHour),
            // Never every worker: at least one stays free for alert intake and the consoles.
            signInSlots: ConcurrencyLimit(min(http.loginConcurrency, max(http.workers - 1, 1))),
            signInThrottle: throttle, logger: logger)
        enrollment.install(into: &router)
        StatisticsWeb(enrollment: enrollment, settings: StatisticsSettings(configuration.stats),
                      quejaLimiter: RateLimiter(burst: http.formRateBurst, perMinute: http.formRatePerMinute),
                      logger: logger).install(into: &router)
        let console = ConsoleWeb(web: enrollment, feed: feed, escalator: escalator, jurisdictions: jurisdictions,
                                 configuration: configuration.console, leaflet: assets.hasLeaflet)
        console.install(into: &router)
        return (try WebServer(settings: settings, router: router,
                              eventStreams: ["/consola/eventos": console.eventStream], metrics: metrics,
                              logger: logger), health, probe)
    }

    /// `/metrics` (and `/salud`) on a listener of their own, `http.metrics_host`:`http.metrics_port` (loopback by
    /// default), plain HTTP, one worker: what the metrics say (open incidents, consoles, per-route counts) is not
    /// for the public ports.
    private func makeMetricsServer(probe: ServiceProbe, health: HealthMonitor) throws -> WebServer {
        let http = configuration.http
        var router = Router()
        router.use(.requestID())
        router.use(.securityHeaders())
        router.get("/metrics", SystemRoutes.metrics(probe))
        router.get("/salud", nonBlocking: true, health.route())
        let settings = WebSettings(host: http.metricsHost, port: http.metricsPort, tls: nil,
                                   limits: HTTPLimits(headerBytes: http.maxHeaderBytes, bodyBytes: 0),
                                   maxConnections: 64, workers: 1, connectionThreads: 1)
        return try WebServer(name: "metrics", settings: settings, router: router, logger: logger)
    }

    public func stop(reason: String) {
        logger.info("stopping", ["reason": reason])
        group?.stop()
        group = nil
        logger.info("stopped", [:])
    }
}

/// The bound ports, filled once every listener is up (for `/salud`).
final class PortBook: Sendable {
    let ports = Mutex<[String: Int]>([:])
}
