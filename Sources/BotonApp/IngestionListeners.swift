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
    private let logger: Logger

    /// `store` is the writer's own connection (``ConnectionRole/ingestionWriter``).
    /// `readers` lends the listener threads connections to read credentials with.
    init(store: any IngestionStore, readers: any StoreProvider, routing: RoutingTable, configuration: Configuration,
         logger: Logger) throws {
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
                                     replies: ReplyTransports(udp: udp, streams: streams))
    }

    /// Transport and bound address of each port.
    var listeners: [(String, SocketAddress)] {
        [("udp", udp.address), ("tcp", streams.plainAddress!), ("tls", streams.secureAddress!)]
    }

    func start() throws {
        pipeline.start()
        let pipeline = self.pipeline
        udp.start(handler: IngestDatagramHandler(pipeline: pipeline))
        streams.start(threadName: "boton-tcp") { peer in IngestStreamHandler(pipeline: pipeline, peer: peer) }
    }

    func stop() {
        streams.stopAccepting()
        pipeline.drain()
        let status = pipeline.status
        logger.info("ingestion_drained", ["accepted": String(status.accepted), "duplicates": String(status.duplicates),
                                          "busy": String(status.busy)])
        udp.stop()
        streams.stop()
    }

    var failure: String? { pipeline.failure ?? udp.failure ?? streams.failure }
}
