public import BotonHTTP
public import BotonNet
import Foundation
import Synchronization
public import BotonRuntime

/// Where and how the web server listens.
public struct WebSettings: Sendable {
    public var host: String
    public var port: Int
    /// The HTTPS port and its certificate; nil serves plain HTTP only.
    public var tls: (port: Int, context: TLSContext)?
    public var limits: HTTPLimits
    /// A request must arrive whole within this many milliseconds of its first byte (408 otherwise).
    public var headerTimeoutMs: Int
    /// A keep-alive connection with no byte either way for this long is closed.
    public var idleTimeoutMs: Int
    public var maxConnections: Int
    /// Threads running the handlers that may block.
    public var workers: Int
    /// Threads serving connections (and the non-blocking routes).
    public var connectionThreads: Int
    /// Event streams get a comment line this often, so proxies keep them open.
    public var heartbeatMs: Int
    /// A connection whose answers the peer lets through not at all for this long is closed.
    public var writeTimeoutMs: Int = 30_000
    /// Connections one client address may hold at once; a connection silent this long after it opened is closed.
    public var maxConnectionsPerAddress: Int = 256
    public var firstByteTimeoutMs: Int = 10_000

    public init(host: String = "127.0.0.1", port: Int = 0, tls: (port: Int, context: TLSContext)? = nil,
                limits: HTTPLimits = .standard, headerTimeoutMs: Int = 10_000, idleTimeoutMs: Int = 60_000,
                maxConnections: Int = 10_000, workers: Int = 8, connectionThreads: Int = 1,
                heartbeatMs: Int = 15_000)
    {
        self.host = host
        self.port = port
        self.tls = tls
        self.limits = limits
        self.headerTimeoutMs = headerTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.maxConnections = maxConnections
        self.workers = workers
        self.connectionThreads = connectionThreads
        self.heartbeatMs = heartbeatMs
    }
}

/// An open Server-Sent Events stream, for the source that feeds it. Sending to a closed stream does nothing.
public final class EventSink: Sendable {
    public let id: ConnectionID
    private let post: @Sendable (HTTPConnectionMessage) -> Void
    private let open = Atomic<Bool>(true)

    init(id: ConnectionID, post: @escaping @Sendable (HTTPConnectionMessage) -> Void) {
        self.id = id
        self.post = post
    }

    public var isOpen: Bool { open.load(ordering: .acquiring) }

    public func send(_ event: ServerSentEvent) {
        if isOpen { post(.event(ServerSentEvents.encode(event))) }
    }

    /// Sends an event already encoded with `ServerSentEvents.encode` (one encoding for many streams).
    public func send(encoded bytes: [UInt8]) {
        if isOpen { post(.event(bytes)) }
    }

    public func comment(_ text: String) {
        if isOpen { post(.event(ServerSentEvents.comment(text))) }
    }

    /// Ends the stream (the client reconnects with `Last-Event-ID`).
    public func close() {
        if open.exchange(false, ordering: .acquiringAndReleasing) { post(.endStream) }
    }

    func markClosed() { open.store(false, ordering: .releasing) }
}

/// What an event-stream route answers: extra response headers, and what to do once the stream is open (send what
/// was missed, subscribe the sink). Throw ``HTTPError`` instead to refuse the stream (401, 403).
public struct EventStreamStart: Sendable {
    public var headers: HTTPHeaders
    public var attach: @Sendable (EventSink) -> Void
    /// Called once when the client goes away.
    public var detach: @Sendable (EventSink) -> Void

    public init(headers: HTTPHeaders = [:], attach: @escaping @Sendable (EventSink) -> Void,
                detach: @escaping @Sendable (EventSink) -> Void = { _ in })
    {
        self.headers = headers
        self.attach = attach
        self.detach = detach
    }
}

public typealias EventStreamRoute = @Sendable (HTTPRequest) throws -> EventStreamStart

/// The web server: HTTP/1.1 (and HTTPS) on BotonNet's stream server, BotonHTTP's parser and router, handlers on a
/// worker pool, Server-Sent Events for the console.
///
/// Concurrency: connections live on the stream server's connection threads (`http.connection_threads`: parsing,
/// writing, deadlines); handlers run on ``WebSettings/workers`` pool threads because they do blocking work
/// (SQLite, password hashing); answers
/// return to the connection thread through the stream server's outbox. Event sinks are `Sendable` and may be
/// fed from any thread.
public final class WebServer: Component {
    public let name: String
    let core: WebServerCore
    private let streams: StreamServer<HTTPConnection>
    private let heartbeat = ServiceThread(name: "boton-sse-beat")

    /// `metrics` is shared with the router's access-log middleware (``WebMetrics/accessLog(_:)``). `name`: the
    /// component's (a second server, such as the metrics listener, needs its own).
    public init(name: String = "web", settings: WebSettings, router: Router,
                eventStreams: [String: EventStreamRoute] = [:], metrics: WebMetrics = WebMetrics(),
                logger: Logger) throws
    {
        self.name = name
        // Bound first, started with its handlers in start(): the core holds the server from its first line.
        let streams = try StreamServer<HTTPConnection>(
            plain: (settings.host, settings.port),
            secure: settings.tls.map { (settings.host, $0.port, $0.context) },
            limits: StreamLimits(maxConnections: settings.maxConnections, handshakeTimeoutMs: 5_000,
                                 idleTimeoutMs: settings.idleTimeoutMs, writeTimeoutMs: settings.writeTimeoutMs,
                                 maxConnectionsPerAddress: settings.maxConnectionsPerAddress,
                                 firstByteTimeoutMs: settings.firstByteTimeoutMs),
            threads: settings.connectionThreads,
            onEvent: { event in
                switch event {
                case .refusedOverLimit(let peer, let open):
                    logger.warning("http_connection_refused", ["peer": peer.description, "open": String(open)])
                case .refusedOverAddressLimit(let peer, let open):
                    logger.warning("http_connection_refused", ["peer": peer.description, "open": String(open),
                                                               "reason": "max_connections_per_address"])
                case .slowConsumer(let peer, let unsent):
                    logger.info("http_reader_closed", ["peer": peer.description, "reason": "too_much_unsent",
                                                       "unsent": String(unsent)])
                case .writeTimedOut(let peer, let unsent):
                    logger.info("http_reader_closed", ["peer": peer.description, "reason": "write_timeout",
                                                       "unsent": String(unsent)])
                case .firstByteTimedOut(let peer):
                    // Browsers open connections ahead of need: a quiet one is ordinary, so debug only.
                    logger.debug("http_connection_silent_closed", ["peer": peer.description])
                case .descriptorsExhausted(let error, let refused, let pauses, let open):
                    logger.error("descriptors_exhausted", DescriptorLimit.fields(
                        listener: "http", errno: error, refused: refused, pauses: pauses, open: open))
                default:
                    break
                }
            })
        self.streams = streams
        core = WebServerCore(settings: settings, router: router, eventStreams: eventStreams, metrics: metrics,
                             streams: streams, logger: logger)
    }

    public var address: SocketAddress { streams.plainAddress! }
    public var secureAddress: SocketAddress? { streams.secureAddress }
    public var metrics: WebMetrics { core.metrics }

    public func start() {
        core.pool.start()
        let core = self.core
        streams.start { peer in HTTPConnection(core: core, peer: peer) }
        let interval = Duration.milliseconds(core.settings.heartbeatMs)
        heartbeat.start { [self] in
            while heartbeat.pause(interval) { core.sendHeartbeats() }
        }
    }

    /// Stops accepting, lets handlers in progress answer, ends event streams, closes; joins every thread.
    public func stop() {
        streams.stopAccepting()
        heartbeat.stop()
        core.endStreams()
        core.pool.shutdown()
        streams.stop()
    }

    public var failure: String? { heartbeat.failure ?? streams.failure }
}

/// Shared by the connections (connection thread) and the handlers (pool threads).
final class WebServerCore: Sendable {
    let settings: WebSettings
    let router: Router
    let eventStreams: [String: EventStreamRoute]
    let logger: Logger
    let pool: WorkerPool
    let metrics: WebMetrics
    private let streams: StreamServer<HTTPConnection>
    private let sinks = Mutex<[ConnectionID: (EventSink, EventStreamStart)]>([:])

    init(settings: WebSettings, router: Router, eventStreams: [String: EventStreamRoute], metrics: WebMetrics,
         streams: StreamServer<HTTPConnection>, logger: Logger)
    {
        self.streams = streams
        self.metrics = metrics
        self.settings = settings
        self.router = router
        self.eventStreams = eventStreams
        self.logger = logger
        pool = WorkerPool(threads: settings.workers, name: "boton-http")
    }

    var limits: HTTPLimits { settings.limits }
    var headerTimeoutMs: Int { settings.headerTimeoutMs }

    func connectionOpened() { metrics.connections.add(1, ordering: .relaxed) }
    func connectionClosed() { metrics.connections.subtract(1, ordering: .relaxed) }

    func countParseError(_ error: HTTPParseError) {
        metrics.record(route: "unparsed", status: error.status.code)
        logger.info("http_bad_request", ["status": String(error.status.code), "reason": error.reason])
    }

    private func post(_ message: HTTPConnectionMessage, to connection: ConnectionID) {
        streams.post(message, to: connection)
    }

    enum Handling {
        /// The answer is in the connection's output (and its close, if it asked for one).
        case answered
        /// A pool thread has the request; its answer comes back through ``HTTPConnection/deliver(_:output:)``.
        case handedOff
    }

    /// On the connection thread: a request whose route cannot block (``RouteMatch/isNonBlocking``: `/salud`,
    /// the static files, 404, 405) is answered here and now into `output`; any other goes to the worker pool.
    func handle(_ request: HTTPRequest, from connection: ConnectionID, dates: inout HTTPDateCache,
                output: inout StreamOutput) -> Handling {
        if !eventStreams.isEmpty, request.method == .get, let route = eventStreams[request.path] {
            pool.submit { [self] in openStream(request, route: route, connection: connection) }
            return .handedOff
        }
        let matched = router.match(request.method, path: request.path)
        guard matched.isNonBlocking else {
            pool.submit { [self] in
                let response = router.respond(to: request, matched: matched)
                let close = Self.closes(after: request, response)
                post(.response(response.serialize(answering: request, closeConnection: close, date: Date()),
                               close: close), to: connection)
            }
            return .handedOff
        }
        let response = router.respond(to: request, matched: matched)
        let close = Self.closes(after: request, response)
        let date = dates.string(for: Date())
        output.write { response.serialize(answering: request, closeConnection: close, dateField: date, into: &$0) }
        if close { output.close() }
        return .answered
    }

    private static func closes(after request: HTTPRequest, _ response: HTTPResponse) -> Bool {
        !request.keepAlive || response.headers["Connection"]?.lowercased() == "close"
    }

    /// On a pool thread: asks the stream's route whether to open it, through the router's middleware like any other
    /// route (request id, access log, security headers); then either sends the stream's head and attaches its sink,
    /// or sends the refusal (401, 503, whatever a middleware answered).
    private func openStream(_ request: HTTPRequest, route: @escaping EventStreamRoute, connection: ConnectionID) {
        let opened = Mutex<EventStreamStart?>(nil)
        let response = router.respond(to: request, route: request.path) { request in
            do {
                let start = try route(request)
                opened.withLock { $0 = start }
                return HTTPResponse(status: .ok, headers: start.headers)
            } catch {
                return (error as? HTTPError)?.response ?? .status(.internalServerError)
            }
        }
        guard response.status == .ok, let start = opened.withLock({ $0 }) else {
            post(.response(response.serialize(answering: request, date: Date()), close: !request.keepAlive),
                 to: connection)
            return
        }
        var headers = response.headers
        headers.replace(name: "X-Accel-Buffering", value: "no")
        post(.streamHead(ServerSentEvents.responseHead(headers: headers)), to: connection)
        let sink = EventSink(id: connection) { [weak self] message in self?.post(message, to: connection) }
        sinks.withLock { $0[connection] = (sink, start) }
        metrics.streams.add(1, ordering: .relaxed)
        start.attach(sink)
    }

    func streamClosed(_ connection: ConnectionID) {
        guard let (sink, start) = sinks.withLock({ $0.removeValue(forKey: connection) }) else { return }
        sink.markClosed()
        metrics.streams.subtract(1, ordering: .relaxed)
        start.detach(sink)
    }

    func sendHeartbeats() {
        for (sink, _) in sinks.withLock({ Array($0.values) }) { sink.comment("latido") }
    }

    func endStreams() {
        for (sink, _) in sinks.withLock({ Array($0.values) }) { sink.close() }
    }
}

/// Counters for `/metrics`: requests by route and status, open connections and event streams.
public final class WebMetrics: Sendable {
    public init() {}

    let connections = Atomic<Int>(0)
    let streams = Atomic<Int>(0)
    private let requests = Mutex<[String: Int]>([:])

    public var openConnections: Int { connections.load(ordering: .relaxed) }
    public var openStreams: Int { streams.load(ordering: .relaxed) }

    func record(route: String, status: Int) {
        requests.withLock { $0["\(route) \(status)", default: 0] += 1 }
    }

    /// (route, status, count), sorted.
    public var requestCounts: [(route: String, status: Int, count: Int)] {
        requests.withLock { $0 }.map { key, count in
            let space = key.lastIndex(of: " ")!
            return (String(key[..<space]), Int(key[key.index(after: space)...]) ?? 0, count)
        }.sorted { ($0.route, $0.status) < ($1.route, $1.status) }
    }

    /// The access-log middleware's hook: one log line per request, and the counter.
    public func accessLog(_ logger: Logger) -> Middleware {
        .accessLog { [self] entry in
            record(route: entry.route, status: entry.status.code)
            guard logger.isEnabled(.info) else { return }
            logger.info("http_request", [
                "method": entry.method.rawValue, "route": entry.route, "status": String(entry.status.code),
                "bytes": String(entry.bytes), "ms": Self.milliseconds(entry.duration),
                "request_id": entry.requestID ?? "-",
            ])
        }
    }

    /// `1.25`: milliseconds with two decimals, to the nearest hundredth (no `String(format:)` on the request path).
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let hundredths = max(0, seconds * 100_000 + (attoseconds + 5_000_000_000_000) / 10_000_000_000_000)
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
