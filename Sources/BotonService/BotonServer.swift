import BotonCore
import BotonHTTP
import BotonCrypto
import BotonGeo
import BotonNet
public import BotonStore
import Foundation
import Synchronization

/// A failure that stops the server from starting, with what to do about it.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The running service: opens the store, loads the territory into the routing table, runs until told to stop.
///
/// Lifecycle: `start()` brings every part up in order and logs one `ready` line; `stop()` takes them down in
/// reverse order. `boton serve` calls `start()`, waits for SIGINT/SIGTERM on the main thread, then `stop()`.
/// Listeners (ingestion, HTTP) are added as further parts in the same order discipline.
public final class BotonServer {
    public let configuration: Configuration
    public let logger: Logger
    public private(set) var store: SQLiteStore?
    public private(set) var routing: RoutingTable?
    public private(set) var ingestion: IngestionPipeline?
    private var udp: UDPListener?
    private var streams: StreamServer<IngestStreamHandler>?
    public private(set) var web: WebServer?
    public private(set) var feed: ConsoleFeed?
    private var escalator: Escalator?
    private var closer: MonthlyCloser?
    private var health: HealthMonitor?
    private var checkpointer: WALCheckpointer?

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func start() throws {
        let began = ContinuousClock.now
        let store = try SQLiteStore(
            path: configuration.databasePath,
            options: Database.Options(busyTimeoutMilliseconds: Int32(configuration.store.busyTimeoutMilliseconds)))
        try Migrator.requireCurrent(store.database)
        let version = Schema.latestVersion
        let snapshot = try store.loadTerritory()
        guard !snapshot.units.isEmpty else {
            throw StartupError("the database has no territory: run 'boton territory import' (Scripts/run does it)")
        }
        let territory = try Territory(snapshot: snapshot)
        let routing = RoutingTable(territory: territory, configuration: configuration.territory)
        self.store = store
        self.routing = routing

        // The writer gets its own connection: it is the only one that writes alerts.
        let writerStore = try SQLiteStore(
            path: configuration.databasePath,
            options: Database.Options(busyTimeoutMilliseconds: Int32(configuration.store.busyTimeoutMilliseconds),
                                      durable: configuration.store.synchronous == "full"))
        // Its commits never checkpoint the log: the checkpoint thread does (see WALCheckpointer).
        try writerStore.database.setAutomaticCheckpoint(false)
        let checkpointer = WALCheckpointer(
            databasePath: configuration.databasePath,
            busyTimeoutMilliseconds: Int32(configuration.store.busyTimeoutMilliseconds),
            intervalMilliseconds: configuration.store.checkpointMilliseconds,
            restartFrames: configuration.store.checkpointRestartFrames, logger: logger)
        checkpointer.start()
        self.checkpointer = checkpointer
        if configuration.store.synchronous != "full" {
            logger.warning("not_durable", ["store.synchronous": configuration.store.synchronous,
                                           "meaning": "acknowledged alerts can be lost on power failure; benchmarks only"])
        }
        let pipeline = IngestionPipeline(store: writerStore, routing: routing, configuration: configuration,
                                         logger: logger)
        let udp = try UDPListener(host: configuration.ingest.host, port: configuration.ingest.udpPort,
                                  handler: IngestDatagramHandler(pipeline: pipeline))
        let streams = try makeStreamServer(pipeline: pipeline)
        pipeline.attach(udp: udp)
        pipeline.attach(streams: streams)
        pipeline.start()
        udp.start()
        streams.start()
        self.ingestion = pipeline
        self.udp = udp
        self.streams = streams
        var listeners = [("udp", udp.address), ("tcp", streams.plainAddress!), ("tls", streams.secureAddress!)]
        // The console: its feed and the escalation timer read what ingestion commits.
        let jurisdictions = Jurisdictions(territory: territory)
        let busy = Int32(configuration.store.busyTimeoutMilliseconds)
        let feed = ConsoleFeed(databasePath: configuration.databasePath, busyTimeoutMilliseconds: busy,
                               jurisdictions: jurisdictions, configuration: configuration.console, logger: logger,
                               markShown: { pipeline.markShown($0) })
        let escalator = Escalator(databasePath: configuration.databasePath, busyTimeoutMilliseconds: busy,
                                  jurisdictions: jurisdictions, configuration: configuration.console, feed: feed,
                                  logger: logger)
        try feed.start()
        escalator.start()
        // Only the feed is woken by commits. The escalator is not: a new alert falls due console.sla_s after it
        // arrived, and the escalator looks again at least once a second anyway (waking it on every commit made it
        // scan every waiting alert a thousand times a second under load).
        pipeline.subscribe { _ in feed.changed() }
        self.feed = feed
        self.escalator = escalator
        let ports = PortBook()
        let (web, health) = try makeWebServer(pipeline: pipeline, routing: routing, ports: ports, feed: feed,
                                              escalator: escalator, jurisdictions: jurisdictions)
        listeners += [("http", web.address)] + (web.secureAddress.map { [("https", $0)] } ?? [])
        ports.ports.withLock { book in for (name, address) in listeners { book[name] = address.port } }
        health.start()
        web.start()
        self.web = web
        let closer = MonthlyCloser(path: configuration.databasePath,
                                   busyTimeoutMilliseconds: Int32(configuration.store.busyTimeoutMilliseconds),
                                   settings: StatisticsSettings(configuration.stats),
                                   interval: .seconds(configuration.stats.closeCheckMinutes * 60), logger: logger)
        closer.start()
        self.closer = closer
        self.health = health
        for (transport, address) in listeners {
            logger.info("listening", ["transport": transport, "address": address.description,
                                      "port": String(address.port)])
        }
        let elapsed = ContinuousClock.now - began
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        logger.info("ready", [
            "database": configuration.databasePath, "schema": String(version),
            "zonas": String(territory.zones.count), "subzonas": String(territory.subzones.count),
            "distritos": String(territory.districts.count), "circuitos": String(territory.circuits.count),
            "subcircuitos": String(territory.subcircuits.count), "upcs": String(territory.upcs.count),
            "startup_ms": String(ms),
        ])
    }

    /// The key of the forms' CSRF tokens, kept in the database so that open pages still work after a restart.
    private func csrfKey() throws -> [UInt8] {
        guard let store else { throw StartupError("the store is not open") }
        return try store.serverSecret("csrf", at: SystemClock.now()) { try Digest.randomBytes(32) }
    }

    /// The TCP and TLS ingestion ports, one thread for both.
    private func makeStreamServer(pipeline: IngestionPipeline) throws -> StreamServer<IngestStreamHandler> {
        let ingest = configuration.ingest
        let certificate = configuration.resolve(ingest.tlsCertificate)
        let key = configuration.resolve(ingest.tlsKey)
        let tls: TLSContext
        do {
            tls = try TLSContext(certificatePath: certificate, keyPath: key)
        } catch {
            throw StartupError("TLS port \(ingest.tlsPort): \(error.description). Create a development pair with "
                               + "'boton tls generate' (Scripts/run does it on first start) or set "
                               + "ingest.tls_certificate and ingest.tls_key")
        }
        let logger = self.logger
        return try StreamServer(
            plain: (ingest.host, ingest.tcpPort), secure: (ingest.host, ingest.tlsPort, tls),
            limits: StreamLimits(maxConnections: ingest.maxConnections,
                                 handshakeTimeoutMs: ingest.handshakeTimeoutMilliseconds,
                                 idleTimeoutMs: ingest.idleTimeoutSeconds * 1000),
            onEvent: { event in
                switch event {
                case .refusedOverLimit(let peer, let open):
                    logger.warning("connection_refused", ["peer": peer.description, "open": String(open),
                                                          "reason": "max_connections"])
                case .handshakeFailed(let peer, let reason):
                    logger.info("tls_handshake_failed", ["peer": peer.description, "reason": reason])
                case .handshakeTimedOut(let peer):
                    logger.info("tls_handshake_timeout", ["peer": peer.description])
                case .idleTimedOut(let peer):
                    logger.debug("connection_idle_closed", ["peer": peer.description])
                case .slowConsumer(let peer, let unsent):
                    logger.warning("connection_slow_consumer", ["peer": peer.description, "unsent": String(unsent)])
                }
            },
            makeHandler: { peer in IngestStreamHandler(pipeline: pipeline, connection: peer.id) })
    }

    /// The web server: health, metrics, the HTTPS alert intake, the static assets, and the enrollment layer
    /// (citizens' pages, officers' pages and sessions, JSON API; see ``EnrollmentWeb``). The console adds its
    /// routes here too.
    private func makeWebServer(pipeline: IngestionPipeline, routing: RoutingTable, ports: PortBook,
                               feed: ConsoleFeed, escalator: Escalator, jurisdictions: Jurisdictions) throws
        -> (WebServer, HealthMonitor)
    {
        let territory = routing.territory
        let http = configuration.http
        let ingest = configuration.ingest
        let tls = try TLSContext(certificatePath: configuration.resolve(ingest.tlsCertificate),
                                 keyPath: configuration.resolve(ingest.tlsKey))
        let settings = WebSettings(
            host: http.host, port: http.port, tls: (http.tlsPort, tls),
            limits: HTTPLimits(headerBytes: http.maxHeaderBytes, bodyBytes: http.maxBodyBytes),
            headerTimeoutMs: http.headerTimeoutMilliseconds, idleTimeoutMs: http.idleTimeoutSeconds * 1000,
            maxConnections: http.maxConnections, workers: http.workers,
            connectionThreads: http.connectionThreads == 0 ? ProcessInfo.processInfo.activeProcessorCount
                : http.connectionThreads,
            heartbeatMs: configuration.console.heartbeatSeconds * 1000)
        let path = configuration.databasePath
        let metrics = WebMetrics()
        // Health and metrics read through their thread's own connection (the health monitor's, a handler's).
        let connections = StoreConnections(path: path,
                                           busyTimeoutMilliseconds: Int32(configuration.store.busyTimeoutMilliseconds))
        let probe = ServiceProbe(
            store: {
                do throws(StoreError) {
                    return .success(try connections.current().database.userVersion())
                } catch {
                    return .failure(error)
                }
            },
            ingestion: { pipeline.status }, queueDepth: { pipeline.queueDepth },
            listeners: { ports.ports.withLock { $0 } },
            territory: ["zonas": territory.zones.count, "subzonas": territory.subzones.count,
                        "distritos": territory.districts.count, "circuitos": territory.circuits.count,
                        "subcircuitos": territory.subcircuits.count, "upcs": territory.upcs.count],
            openIncidents: {
                try? connections.current().database.statement("SELECT count(*) FROM incident WHERE state <> 'cerrada'")
                    .first { $0.int(0) }
            },
            web: metrics)
        let logger = self.logger
        var router = Router(onError: { request, error in
            logger.error("http_handler_failed", ["path": request.path, "error": String(describing: error)])
            return .text("Error interno. Intente de nuevo.\n", status: .internalServerError)
        })
        router.use(.requestID())
        router.use(metrics.accessLog(logger))
        router.use(.securityHeaders())
        let health = HealthMonitor(probe: probe, intervalMs: http.healthIntervalMilliseconds)
        // Non-blocking routes are answered on the connection threads; the rest go to the worker pool (the
        // BotonService DocC page, "Threads").
        router.get("/salud", nonBlocking: true, health.route())
        router.get("/metrics", SystemRoutes.metrics(probe))  // counts open incidents in the store
        router.post("/api/v1/alertas", AlertIntake.route(pipeline: pipeline))
        router.get("/static/*ruta", nonBlocking: true, StaticAssets().route())
        let enrollment = EnrollmentWeb(
            routing: routing, databasePath: path,
            busyTimeoutMilliseconds: Int32(configuration.store.busyTimeoutMilliseconds),
            csrf: CSRFGuard(key: try csrfKey()), sessions: Sessions(hours: http.sessionHours),
            formLimiter: RateLimiter(burst: http.formRateBurst, perMinute: http.formRatePerMinute),
            statusLimiter: RateLimiter(burst: http.formRateBurst, perMinute: http.formRatePerMinute),
            loginLimiter: RateLimiter(burst: http.loginRateBurst, perMinute: http.loginRatePerMinute),
            logger: logger)
        enrollment.install(into: &router)
        StatisticsWeb(enrollment: enrollment, settings: StatisticsSettings(configuration.stats),
                      quejaLimiter: RateLimiter(burst: http.formRateBurst, perMinute: http.formRatePerMinute),
                      logger: logger).install(into: &router)
        let console = ConsoleWeb(web: enrollment, feed: feed, escalator: escalator, jurisdictions: jurisdictions,
                                 configuration: configuration.console)
        console.install(into: &router)
        return (try WebServer(settings: settings, router: router,
                              eventStreams: ["/consola/eventos": console.eventStream], metrics: metrics,
                              logger: logger), health)
    }

    public func stop(reason: String) {
        logger.info("stopping", ["reason": reason])
        closer?.stop()
        closer = nil
        // Stop accepting connections; queued frames are still committed and acknowledged, then the ports close.
        streams?.stopAccepting()
        web?.stop()
        web = nil
        health?.stop()
        health = nil
        escalator?.stop()
        feed?.stop()
        escalator = nil
        feed = nil
        if let ingestion {
            ingestion.drain()
            let status = ingestion.status
            logger.info("ingestion_drained", ["accepted": String(status.accepted),
                                              "duplicates": String(status.duplicates),
                                              "busy": String(status.busy)])
        }
        udp?.stop()
        streams?.stop()
        udp = nil
        streams = nil
        ingestion = nil
        checkpointer?.stop()
        checkpointer = nil
        routing = nil
        store = nil
        logger.info("stopped", [:])
    }
}

/// The bound ports, filled once every listener is up (for `/salud`).
final class PortBook: Sendable {
    let ports = Mutex<[String: Int]>([:])
}
