import BotonDC09
import BotonGeo
import BotonIngestion
import BotonNet
import BotonRepository
import BotonRuntime

/// Alert intake as one component: the ingestion pipeline (its writer thread) and its listeners, UDP and the TCP/TLS
/// stream server.
///
/// Built in the order that leaves no cycle to close later: the ports are bound, the pipeline is made with them as
/// its reply transports, and the ports are started with handlers that submit to the pipeline. Started writer
/// first, then the ports. Stopped in the order that loses nothing accepted: the stream ports stop
/// accepting, the pipeline drains (queued frames are committed and acknowledged through the still-open sockets),
/// then the sockets close.
final class IngestionListeners: Component {
    let name = "ingestion"
    let pipeline: IngestionPipeline
    private let udp: UDPListener
    private let streams: StreamServer<IngestStreamHandler>
    /// SIA DC-09 (alarm panels, panic buttons): TCP and UDP on `dc09.port`, into the same writer.
    private let dc09Streams: StreamServer<DC09StreamHandler>
    private let dc09Datagrams: UDPListener
    private let dc09: DC09Receiver
    private let logger: Logger

    /// `store` is the writer's own connection (``ConnectionRole/ingestionWriter``).
    /// `readers` lends the listener threads connections to read credentials with.
    /// `reconnect` opens a new writer connection after a storage fault (PostgreSQL: a failover). `isLeader`:
    /// whether this node prunes the receipts (the cluster's leader only).
    init(store: any IngestionStore, readers: any StoreProvider, routing: RoutingTable, configuration: Configuration,
         logger: Logger, reconnect: (@Sendable () throws(StoreError) -> any IngestionStore)? = nil,
         isLeader: @escaping @Sendable () -> Bool = { true }) throws {
        self.logger = logger
        let ingest = configuration.ingest
        udp = try UDPListener(host: ingest.host, port: ingest.udpPort)
        let tls: TLSContext
        do {
            tls = try TLSContext(certificatePath: configuration.resolve(ingest.tlsCertificate),
                                 keyPath: configuration.resolve(ingest.tlsKey))
        } catch {
            throw StartupError("TLS port \(ingest.tlsPort): \(error.description). Create a development pair with "
                               + "'boton tls generate' (Scripts/run does it on first start) or set "
                               + "ingest.tls_certificate and ingest.tls_key")
        }
        streams = try StreamServer(
            plain: (ingest.host, ingest.tcpPort), secure: (ingest.host, ingest.tlsPort, tls),
            limits: StreamLimits(maxConnections: ingest.maxConnections,
                                 handshakeTimeoutMs: ingest.handshakeTimeoutMilliseconds,
                                 idleTimeoutMs: ingest.idleTimeoutSeconds * 1000,
                                 maxConnectionsPerAddress: ingest.maxConnectionsPerAddress,
                                 firstByteTimeoutMs: ingest.firstByteTimeoutSeconds * 1000,
                                 reservedForProven: ingest.reservedConnections),
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
                case .refusedOverAddressLimit(let peer, let open):
                    logger.warning("connection_refused", ["peer": peer.description, "open": String(open),
                                                          "reason": "max_connections_per_address"])
                case .firstByteTimedOut(let peer):
                    logger.info("connection_silent_closed", ["peer": peer.description])
                case .evictedUnproven(let peer):
                    logger.info("connection_evicted", ["peer": peer.description,
                                                       "reason": "unauthenticated_slots_full"])
                case .writeTimedOut(let peer, let unsent):
                    logger.info("connection_write_timeout", ["peer": peer.description, "unsent": String(unsent)])
                case .descriptorsExhausted(let error, let refused, let pauses, let open):
                    logger.error("descriptors_exhausted", DescriptorLimit.fields(
                        listener: "ingest", errno: error, refused: refused, pauses: pauses, open: open))
                case .slowConsumer(let peer, let unsent):
                    logger.warning("connection_slow_consumer", ["peer": peer.description, "unsent": String(unsent)])
                }
            })
        pipeline = IngestionPipeline(store: store, readers: readers, routing: routing, configuration: configuration, logger: logger,
                                     replies: ReplyTransports(udp: udp, streams: streams), reconnect: reconnect,
                                     isLeader: isLeader)
        let settings = configuration.dc09
        let dc09Limits = StreamLimits(maxConnections: settings.maxConnections,
                                      idleTimeoutMs: settings.idleTimeoutSeconds * 1000,
                                      maxConnectionsPerAddress: settings.maxConnectionsPerAddress,
                                      firstByteTimeoutMs: ingest.firstByteTimeoutSeconds * 1000)
        let dc09Events: @Sendable (StreamEvent) -> Void = { event in
            switch event {
            case .refusedOverLimit(let peer, let open), .refusedOverAddressLimit(let peer, let open):
                logger.warning("connection_refused", ["peer": peer.description, "open": String(open),
                                                      "listener": "dc09"])
            case .descriptorsExhausted(let error, let refused, let pauses, let open):
                logger.error("descriptors_exhausted", DescriptorLimit.fields(
                    listener: "dc09", errno: error, refused: refused, pauses: pauses, open: open))
            case .slowConsumer(let peer, let unsent), .writeTimedOut(let peer, let unsent):
                logger.info("connection_slow_consumer", ["peer": peer.description, "unsent": String(unsent),
                                                         "listener": "dc09"])
            default:
                break
            }
        }
        // The same number for TCP as UDP got. Port 0 asks for a free UDP port, then TCP binds that number, which
        // another process may hold for TCP: with port 0 a few fresh numbers are tried before giving up.
        (dc09Datagrams, dc09Streams) = try { () throws -> (UDPListener, StreamServer<DC09StreamHandler>) in
            var attempt = 0
            while true {
                attempt += 1
                let datagrams = try UDPListener(host: settings.host, port: settings.port)
                do {
                    return (datagrams, try StreamServer(plain: (settings.host, datagrams.address.port), secure: nil,
                                                        limits: dc09Limits, onEvent: dc09Events))
                } catch where settings.port == 0 && attempt < 10 {
                    datagrams.stop()
                }
            }
        }()
        dc09 = DC09Receiver(pipeline: pipeline, windowSeconds: settings.windowSeconds, logger: logger)
    }

    /// Transport and bound address of each port.
    var listeners: [(String, SocketAddress)] {
        [("udp", udp.address), ("tcp", streams.plainAddress!), ("tls", streams.secureAddress!),
         ("dc09-tcp", dc09Streams.plainAddress!), ("dc09-udp", dc09Datagrams.address)]
    }

    func start() throws {
        pipeline.start()
        let pipeline = self.pipeline
        udp.start(handler: IngestDatagramHandler(pipeline: pipeline))
        streams.start(threadName: "boton-tcp") { peer in IngestStreamHandler(pipeline: pipeline, peer: peer) }
        let receiver = dc09
        let datagrams = dc09Datagrams
        datagrams.start(handler: DC09DatagramHandler(receiver: receiver, pipeline: pipeline, send: { [weak datagrams] in
            datagrams?.send([$0])
        }))
        let server = WeakServer(dc09Streams)
        dc09Streams.start(threadName: "boton-dc09") { peer in
            let id = peer.id
            return DC09StreamHandler(receiver: receiver, peer: peer, post: { server.value?.post($0, to: id) })
        }
    }

    func stop() {
        streams.stopAccepting()
        dc09Streams.stopAccepting()
        pipeline.drain()
        let status = pipeline.status
        logger.info("ingestion_drained", ["accepted": String(status.accepted), "duplicates": String(status.duplicates),
                                          "busy": String(status.busy)])
        udp.stop()
        streams.stop()
        dc09Datagrams.stop()
        dc09Streams.stop()
    }

    var failure: String? {
        pipeline.failure ?? udp.failure ?? streams.failure ?? dc09Datagrams.failure ?? dc09Streams.failure
    }
}

/// The DC-09 stream server as its own handlers reach it: weakly, so the server's factory does not keep the server.
private final class WeakServer: Sendable {
    weak let value: StreamServer<DC09StreamHandler>?
    init(_ value: StreamServer<DC09StreamHandler>) { self.value = value }
}
