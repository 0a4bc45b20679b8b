public import BotonCore
import BotonCrypto
public import BotonGeo
public import BotonNet
public import BotonRepository
import BotonWire
import Foundation
import Synchronization
public import BotonRuntime

/// What the ingestion writer needs of its connection: the frames' credentials, receipts and incidents, and the
/// console's *notificada* marks that ride in its batches.
public typealias IngestionStore = Transactional & IngestionRepository & ConsoleRepository & EnrollmentRepository
    & AuditLogRepository & SiteRepository & SupervisionRepository

/// decode → authenticate → de-duplicate → locate → group commit → acknowledge → publish.
///
/// Listener threads call ``submit(_:receivedAt:route:source:)``: it checks the frame's shape and its MAC against a
/// credential cache (``SenderGate``), and either answers at once (malformed, unknown sender, wrong MAC, queue
/// full) or queues it, so only authenticated frames compete for the writer. One writer thread owns the write connection: it takes a
/// batch (at most `batch_max_frames`, or what arrived within `batch_max_ms` of the first), authenticates and
/// processes every frame inside one transaction, commits with `synchronous=FULL`, and only then sends the
/// acknowledgements and publishes the incidents. If the commit fails, nothing in the batch is acknowledged:
/// senders are told *ocupado-reintente*, the failure is logged and shown in ``status``.
public final class IngestionPipeline: Sendable {
    private let queue: CommitQueue
    private let settings: Configuration
    private let logger: Logger
    private let statusBox = Mutex(IngestionStatus())
    /// Counted on the listener threads for every frame: atomics, so the hot path takes no lock for them.
    private let receivedCount = Atomic<Int>(0)
    private let listenerBusyCount = Atomic<Int>(0)
    private let malformedCount = Atomic<Int>(0)
    private let unknownCount = Atomic<Int>(0)
    private let forgedCount = Atomic<Int>(0)
    private let revokedCount = Atomic<Int>(0)
    /// Datagram answers not sent: the address's answer budget was spent.
    private let unansweredCount = Atomic<Int>(0)
    private let gate: SenderGate
    private let siteGate: SiteGate
    /// DC-09 answers given on the listener threads, by `answer|reason`.
    private let dc09Answers = Mutex<[String: Int]>([:])
    private let datagramAnswers: SourceBuckets
    private let subscribers = Mutex<[@Sendable (IncidentNotice) -> Void]>([])
    private let replies: ReplyTransports
    private let writerThread = Mutex<JoinableThread?>(nil)
    private let draining = Atomic<Bool>(false)
    /// When the batch transaction in progress began (monotonic nanoseconds; 0: none in progress).
    private let transactionSince = Atomic<Int64>(0)
    /// The `transactionSince` of the last stall logged (each stall is logged once, when first noticed).
    private let stallLogged = Atomic<Int64>(0)
    private let died = Mutex<String?>(nil)
    private let writer: Writer
    /// Whether this node prunes the receipts: with several nodes on one database only the cluster's leader does.
    private let isLeader: @Sendable () -> Bool
    /// Opens a new writer connection after a storage fault (nil: the writer keeps the one it was given).
    private let reconnect: (@Sendable () throws(StoreError) -> any IngestionStore)?

    /// The longest wait between two attempts to reconnect the writer.
    static let reconnectBackoffLimit: Duration = .seconds(2)

    /// `store` is the writer's own connection: the only one that writes alerts (``ConnectionRole/ingestionWriter``).
    /// `readers` lends the listener threads connections to read credentials with (``SenderGate``).
    /// `replies` are the bound listeners whose frames it answers (none: only `.callback` routes are answered).
    ///
    /// `reconnect` opens a new writer connection. With it, a commit that fails with a storage fault
    /// (``StoreError/isStorageFault``: the connection lost, the server shutting down, a standby that only reads)
    /// drops the connection: that batch is answered *ocupado-reintente* as any failed batch, and every batch after
    /// it too, without touching the store, until a new connection is made. The writer tries at once, then with a
    /// backoff doubling from 50 ms to ``reconnectBackoffLimit``, also when no frame comes (PostgreSQL: libpq's
    /// multi-host string with `target_session_attrs=read-write` finds the promoted standby). Until a batch commits
    /// on the new connection, ``status`` keeps the failure (and `/salud` answers 503). `isLeader` says whether this
    /// node runs the receipt pruning now (the cluster's leader; asked before each).
    public init(store: any IngestionStore, readers: any StoreProvider, routing: RoutingTable,
                configuration: Configuration, logger: Logger, replies: ReplyTransports = ReplyTransports(),
                reconnect: (@Sendable () throws(StoreError) -> any IngestionStore)? = nil,
                isLeader: @escaping @Sendable () -> Bool = { true }) {
        self.replies = replies
        self.reconnect = reconnect
        self.isLeader = isLeader
        settings = configuration
        self.logger = logger
        let ingest = configuration.ingest
        queue = CommitQueue(capacity: ingest.queueDepth, maxFrames: ingest.batchMaxFrames,
                            sharePerAddress: ingest.queueSharePerAddress)
        gate = SenderGate(readers: readers, lookupsPerSecond: ingest.lookupsPerSecond,
                          lookupsPerAddressPerSecond: ingest.lookupsPerAddressPerSecond,
                          forgeriesPerAddressPerSecond: ingest.forgeriesPerAddressPerSecond)
        siteGate = SiteGate(readers: readers, lookupsPerSecond: ingest.lookupsPerSecond,
                            lookupsPerAddressPerSecond: ingest.lookupsPerAddressPerSecond)
        datagramAnswers = SourceBuckets(perSecond: ingest.answersPerAddressPerSecond,
                                        burst: 2 * ingest.answersPerAddressPerSecond)
        writer = Writer(store: store, routing: routing, configuration: configuration)
    }

    public var status: IngestionStatus {
        var status = statusBox.withLock { $0 }
        status.received = receivedCount.load(ordering: .relaxed)
        status.busy += listenerBusyCount.load(ordering: .relaxed)
        let malformed = malformedCount.load(ordering: .relaxed)
        if malformed > 0 { status.rejected["malformada", default: 0] += malformed }
        let unknown = unknownCount.load(ordering: .relaxed)
        if unknown > 0 { status.rejected["desconocido", default: 0] += unknown }
        let forged = forgedCount.load(ordering: .relaxed)
        if forged > 0 { status.rejected["clave", default: 0] += forged }
        let revoked = revokedCount.load(ordering: .relaxed)
        if revoked > 0 { status.rejected["dada_de_baja", default: 0] += revoked }
        status.unanswered = unansweredCount.load(ordering: .relaxed)
        status.credentialReads = gate.lookups.load(ordering: .relaxed)
        status.overReadBudget = gate.overBudget.load(ordering: .relaxed)
        status.unverified = gate.throttled.load(ordering: .relaxed)
        status.dc09Answers = dc09Answers.withLock { $0 }
        let since = transactionSince.load(ordering: .relaxed)
        if since != 0 {
            let waited = Int((monotonicNanoseconds() - since) / 1_000_000)
            if waited >= settings.ingest.stalledCommitMilliseconds {
                status.stalledCommitMilliseconds = waited
                if status.storageFailure == nil { status.storageFailure = Self.stallMessage(waited, settings) }
                if stallLogged.exchange(since, ordering: .relaxed) != since {
                    logger.error("commit_stalled", ["waited_ms": String(waited), "queue": String(queue.depth),
                                                    "store": settings.store.backend.rawValue])
                }
            }
        }
        return status
    }

    /// What `/salud` says of a batch whose transaction does not end: for the operator, in Spanish, with the likely
    /// causes and the setting to look at.
    static func stallMessage(_ milliseconds: Int, _ settings: Configuration) -> String {
        let seconds = String(format: "%.1f", Double(milliseconds) / 1000).replacingOccurrences(of: ".", with: ",")
        let cause = settings.store.backend == .postgresql
            ? "¿espera el primario a una réplica síncrona que no responde (synchronous_standby_names)? Vea también los "
                + "bloqueos y el disco del servidor de store.postgresql"
            : "¿disco lleno o lento, o un bloqueo de otra conexión sobre \(settings.store.path)?"
        return "la transacción de ingesta no termina desde hace \(seconds) s: ninguna alerta se confirma mientras "
            + "tanto (los teléfonos reintentan). \(cause)"
    }

    public var queueDepth: Int { queue.depth }

    /// From the console feed: these alerts reached a console of their own UPC. The writer marks them *notificada*
    /// with its next batch (at once when no frame is waiting) and reports each as a notice. Cheap; never blocks.
    /// Dropped once draining: an alert left recibida is treated as notificada by the consoles and the escalation.
    public func markShown(_ ids: [Int64]) {
        guard !ids.isEmpty else { return }
        _ = queue.offer(shown: ids)
    }

    /// Called after every commit with what changed; must not block.
    public func subscribe(_ subscriber: @escaping @Sendable (IncidentNotice) -> Void) {
        subscribers.withLock { $0.append(subscriber) }
    }

    public func start() {
        writerThread.withLock { thread in
            guard thread == nil else { return }
            thread = JoinableThread(named: "boton-writer") { [self] in
                runWriter()
                if !draining.load(ordering: .acquiring) {
                    died.withLock { $0 = "the ingestion writer stopped without being told to" }
                }
            }
        }
    }

    /// Refuses new frames (they are answered *ocupado-reintente*), commits and acknowledges what is queued,
    /// and returns when the writer has stopped.
    public func drain() {
        draining.store(true, ordering: .releasing)
        queue.close()
        writerThread.withLock { thread in
            defer { thread = nil }
            return thread
        }?.join()
    }

    /// Nil while the writer runs; why it stopped otherwise.
    public var failure: String? { died.withLock { $0 } }

    // MARK: Listener side

    /// From a listener thread: authenticates the frame against the credential cache (``SenderGate``) and queues
    /// it for the writer (its answer comes later by `route`), or answers at once: malformed, unknown sender, wrong
    /// MAC, queue or the address's share of it full, read budget spent. `source` is the sender's address, for the
    /// per-address limits (nil: none apply).
    ///
    /// Answers to datagrams go to an address nobody verified (UDP sources are spoofable): at most
    /// `ingest.answers_per_address_per_second` of them per address; beyond, the frame gets no answer
    /// (``Submission/silent``), so the port cannot be used to flood someone else.
    public func submit(_ frame: UnsafeRawBufferPointer, receivedAt: Timestamp, route: ReplyRoute,
                       source: SourceKey? = nil) -> Submission {
        receivedCount.add(1, ordering: .relaxed)
        let submission = admit(frame, receivedAt: receivedAt, route: route, source: source)
        if case .datagram = route, let source {
            switch submission {
            case .queued, .silent, .malformed(nil): break
            case .answered, .malformed(.some):
                if !datagramAnswers.take(source, nowNs: monotonicNanoseconds()) {
                    unansweredCount.add(1, ordering: .relaxed)
                    return .silent
                }
            }
        }
        return submission
    }

    private func admit(_ frame: UnsafeRawBufferPointer, receivedAt: Timestamp, route: ReplyRoute,
                       source: SourceKey?) -> Submission {
        let header: FrameHeader
        do {
            header = try WireFrame.peek(frame)
        } catch {
            malformedCount.add(1, ordering: .relaxed)
            guard let rejection = ShortRejection.answering(error, datagram: frame) else { return .malformed(nil) }
            return .malformed(ReplyBytes { rejection.encode(into: $0) })
        }
        switch gate.check(frame, header: header, source: source) {
        case .pass:
            break
        case .unknown:
            unknownCount.add(1, ordering: .relaxed)
            return .answered(ReplyBytes { ShortRejection(reason: .desconocido).encode(into: $0) })
        case .revoked(let key):
            revokedCount.add(1, ordering: .relaxed)
            let ack = Acknowledgement(status: .rechazada, reason: .dadaDeBaja, sequence: header.sequence,
                                      serverTimeMs: receivedAt.millisecondsSince1970)
            return .answered(ReplyBytes { out in key.withUnsafeBytes { ack.encode(key: $0, into: out) } })
        case .forged(let key):
            forgedCount.add(1, ordering: .relaxed)
            let ack = Acknowledgement(status: .rechazada, reason: .clave, sequence: header.sequence,
                                      serverTimeMs: receivedAt.millisecondsSince1970)
            return .answered(ReplyBytes { out in key.withUnsafeBytes { ack.encode(key: $0, into: out) } })
        case .unverified:
            return busy(header, receivedAt: receivedAt)
        case .throttled:
            // Over UDP, silence (the source may be spoofed, the frames are a flood); on a stream or HTTPS, whose
            // peer is real, an unauthenticated "retry".
            if case .datagram = route { return .silent }
            return busy(header, receivedAt: receivedAt)
        }
        switch queue.offer(IngestRequest(frame: frame, receivedAt: receivedAt, route: route, source: source)) {
        case .success: return .queued
        case .failure: return busy(header, receivedAt: receivedAt)
        }
    }

    /// *ocupado-reintente*, unauthenticated: we must not wait for the key. The client retries.
    private func busy(_ header: FrameHeader, receivedAt: Timestamp) -> Submission {
        listenerBusyCount.add(1, ordering: .relaxed)
        return .answered(ReplyBytes { buffer in
            Acknowledgement.busy(sequence: header.sequence, serverTimeMs: receivedAt.millisecondsSince1970)
                .encodeUnauthenticated(into: buffer)
        })
    }

    // MARK: Sites (SIA DC-09)

    /// From a DC-09 listener thread: whether `account` may send, and its key (cached; a miss costs one store read
    /// within the per-address and global read budgets).
    public func site(account: String, source: SourceKey?) -> SiteLookup {
        siteGate.lookup(account: account, source: source)
    }

    /// From a DC-09 listener thread: queues a site's event for the writer. `reply` is called once, with the
    /// outcome, after the batch's commit (or its failure). False: not queued (queue or the address's share of it
    /// full, server stopping); `reply` is not called and the caller answers at once.
    public func submitSite(_ event: SiteEvent, receivedAt: Timestamp, source: SourceKey?,
                           reply: @escaping @Sendable (SiteOutcome) -> Void) -> Bool {
        receivedCount.add(1, ordering: .relaxed)
        let request = IngestRequest(site: SiteRequest(event: event, reply: reply), receivedAt: receivedAt,
                                    source: source)
        switch queue.offer(request) {
        case .success: return true
        case .failure:
            listenerBusyCount.add(1, ordering: .relaxed)
            return false
        }
    }

    /// Counts a DC-09 answer given without the writer (`NAK`/`crc`, `DUH`/`cuenta_desconocida`, …), for `/metrics`.
    public func countDC09Answer(_ answer: String, reason: String) {
        dc09Answers.withLock { $0["\(answer)|\(reason)", default: 0] += 1 }
    }

    /// Whether a datagram answer to `source` is within its budget (`ingest.answers_per_address_per_second`); counted
    /// as unanswered when not.
    public func mayAnswerDatagram(to source: SourceKey) -> Bool {
        if datagramAnswers.take(source, nowNs: monotonicNanoseconds()) { return true }
        unansweredCount.add(1, ordering: .relaxed)
        return false
    }

    // MARK: Writer side

    private func runWriter() {
        var batch: [IngestRequest] = []
        batch.reserveCapacity(settings.ingest.batchMaxFrames)
        var shown: [Int64] = []
        var outcomes: [Answer] = []
        outcomes.reserveCapacity(settings.ingest.batchMaxFrames)
        let window = Double(settings.ingest.batchMaxMilliseconds) / 1000
        var nextPrune = ContinuousClock.now
        // Without a connection (after a storage fault, when `reconnect` is set): when to try again, and the wait
        // after the next failure.
        var connected = true
        var retryAt = ContinuousClock.now
        var backoff: Duration = .milliseconds(50)
        while queue.takeBatch(into: &batch, shown: &shown, window: window,
                              idle: connected ? nil : max(retryAt - ContinuousClock.now, .zero)) {
            if !connected {
                if ContinuousClock.now >= retryAt, let reconnect {
                    do {
                        writer.replace(store: try reconnect())
                        connected = true
                        logger.info("storage_reconnected", [:])
                    } catch {
                        logger.warning("storage_reconnect_failed", ["error": error.description,
                                                                    "retry_ms": String(Self.milliseconds(backoff))])
                        statusBox.withLock { $0.storageFailure = error.description }
                        retryAt = ContinuousClock.now + backoff
                        backoff = min(backoff * 2, Self.reconnectBackoffLimit)
                    }
                }
                if !connected {
                    // Nothing can be stored: every sender is told to retry; the marks are dropped (an alert left
                    // recibida is treated as notificada by the consoles and the escalation).
                    if !batch.isEmpty {
                        deliverBusy(batch, now: SystemClock.now())
                        statusBox.withLock { $0.busy += batch.count }
                    }
                    if !shown.isEmpty { logger.warning("console_marks_dropped", ["alerts": String(shown.count)]) }
                    continue
                }
            }
            if ContinuousClock.now >= nextPrune {
                // A singleton job: on a follower it waits for the next turn (the leader prunes for every node).
                if isLeader() { pruneReceipts() }
                nextPrune = ContinuousClock.now + .seconds(600)
            }
            let began = ContinuousClock.now
            let now = SystemClock.now()
            outcomes.removeAll(keepingCapacity: true)
            var notices: [IncidentNotice] = []
            let committed: Bool
            writer.discardSightings()
            transactionSince.store(monotonicNanoseconds(), ordering: .relaxed)
            do {
                try writer.store.inTransaction { () throws(StoreError) in
                    for request in batch {
                        outcomes.append(try writer.process(request, now: now, notices: &notices))
                    }
                    // The senders' signs of life: one row each, in this transaction (never a write of their own).
                    try writer.flushSightings()
                    recordShown(shown, now: now, notices: &notices)
                }
                committed = true
            } catch {
                committed = false
                logger.error("commit_failed", ["frames": String(batch.count), "error": error.description])
                statusBox.withLock { $0.storageFailure = error.description }
                writer.forgetCachedCredentials()
                if reconnect != nil && error.isStorageFault {
                    // The connection is gone (or reaches a standby): a new one before the next batch.
                    connected = false
                    retryAt = ContinuousClock.now
                    logger.warning("storage_reconnecting", ["reason": error.description])
                }
            }
            let since = transactionSince.exchange(0, ordering: .relaxed)
            if stallLogged.load(ordering: .relaxed) == since {
                // It was reported stalled: say that it ended, and how.
                logger.warning("commit_stall_ended", ["waited_ms": String(Self.milliseconds(ContinuousClock.now - began)),
                                                      "committed": String(committed), "frames": String(batch.count)])
            }
            let elapsed = ContinuousClock.now - began
            let micros = Int(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
            if committed, let failure = statusBox.withLock({ $0.storageFailure }) {
                logger.info("storage_recovered", ["previous_error": failure])
            }
            if committed { backoff = .milliseconds(50) }
            // Counted before the answers go out: a client that heard its answer and reads /metrics sees it counted.
            statusBox.withLock { s in
                if committed { s.storageFailure = nil }
                guard !batch.isEmpty else { return }  // only marks
                s.batches += 1
                s.lastBatchSize = batch.count
                s.lastCommitMicroseconds = micros
                if committed {
                    for answer in outcomes {
                        switch answer {
                        case .acknowledgement(let ack, _):
                            switch ack.status {
                            case .aceptada: s.accepted += 1
                            case .duplicada: s.duplicates += 1
                            case .rechazada: s.rejected[ack.reason.rawValue, default: 0] += 1
                            case .ocupadoReintente: s.busy += 1
                            }
                        case .rejection(let r): s.rejected[r.reason.rawValue, default: 0] += 1
                        case .site(let outcome, let key):
                            switch outcome {
                            case .stored:
                                s.accepted += 1
                                if let key { s.dc09Events[key, default: 0] += 1 }
                            case .duplicate: s.duplicates += 1
                            case .polled: break
                            case .unknownSite: s.rejected["desconocido", default: 0] += 1
                            case .busy: s.busy += 1
                            }
                        }
                    }
                }
            }
            if committed {
                deliver(outcomes, batch: batch)
                for notice in notices { for s in subscribers.withLock({ $0 }) { s(notice) } }
            } else {
                deliverBusy(batch, now: now)
            }
        }
    }

    private static func milliseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }

    /// The marks ride in the batch's transaction but in a savepoint of their own: if one fails, the alerts still
    /// commit and the marks are dropped (logged).
    private func recordShown(_ ids: [Int64], now: Timestamp, notices: inout [IncidentNotice]) {
        guard !ids.isEmpty else { return }
        let before = notices.count
        do {
            try writer.store.inSavepoint { () throws(StoreError) in
                try writer.markShown(ids, now: now, notices: &notices)
            }
        } catch {
            notices.removeSubrange(before...)
            logger.error("console_mark_failed", ["error": error.description, "alerts": String(ids.count)])
        }
    }

    /// Receipts older than ``receiptRetention`` go, a thousand per transaction so a batch never waits long.
    /// A retransmission comes within minutes (the replay window is 300 s); a week is a wide margin.
    static let receiptRetention: Duration = .seconds(7 * 86_400)

    private func pruneReceipts() {
        let before = SystemClock.now().adding(milliseconds: -Self.receiptRetention.components.seconds * 1000)
        var total = 0
        do {
            while true {
                let removed = try writer.store.inTransaction { () throws(StoreError) in
                    try writer.store.pruneReceipts(before: before, limit: 1000)
                }
                total += removed
                if removed < 1000 { break }
            }
        } catch {
            logger.warning("receipt_prune_failed", ["error": error.description])
        }
        if total > 0 { logger.info("receipts_pruned", ["count": String(total)]) }
    }

    private func deliver(_ answers: [Answer], batch: [IngestRequest]) {
        var replies: [(ReplyRoute, ReplyBytes)] = []
        replies.reserveCapacity(batch.count)
        for (request, answer) in zip(batch, answers) {
            if let site = request.site {
                if case .site(let outcome, _) = answer { site.reply(outcome) } else { site.reply(.busy) }
            } else {
                replies.append((request.route, answer.bytes()))
            }
        }
        send(replies)
    }

    /// After a failed commit: nothing was stored, so every sender is told to retry.
    private func deliverBusy(_ batch: [IngestRequest], now: Timestamp) {
        for request in batch { request.site?.reply(.busy) }
        send(batch.filter { $0.site == nil }.map { request in
            let sequence = request.withBytes { (try? WireFrame.peek($0))?.sequence ?? 0 }
            return (request.route, ReplyBytes { buffer in
                Acknowledgement.busy(sequence: sequence, serverTimeMs: now.millisecondsSince1970)
                    .encodeUnauthenticated(into: buffer)
            })
        })
    }

    /// Datagram replies leave in one batch through the UDP listener; stream replies through their callbacks.
    private func send(_ replies: [(ReplyRoute, ReplyBytes)]) {
        var datagrams: [DatagramReply] = []
        var streamReplies: [(ConnectionID, StreamReply)] = []
        for (route, reply) in replies {
            switch route {
            case .datagram(let peer):
                datagrams.append(DatagramReply(to: peer) { out in
                    reply.withBytes { out.copyMemory(from: $0) }
                    return reply.count
                })
            case .stream(let connection, let slot):
                streamReplies.append((connection, StreamReply(slot: slot, bytes: reply)))
            case .callback(let callback):
                callback(reply)
            }
        }
        if !datagrams.isEmpty { self.replies.udp?.send(datagrams) }
        if !streamReplies.isEmpty { self.replies.streams?.post(contentsOf: streamReplies) }
    }
}

/// Where the writer's answers leave: the UDP listener for `.datagram` routes, the TCP/TLS server for `.stream`
/// routes. Both are bound before the pipeline is built and started with its handlers after (their two-phase
/// start), so the pipeline holds them from its first line and nothing is attached later.
public struct ReplyTransports: Sendable {
    public let udp: UDPListener?
    public let streams: StreamServer<IngestStreamHandler>?

    public init(udp: UDPListener? = nil, streams: StreamServer<IngestStreamHandler>? = nil) {
        self.udp = udp
        self.streams = streams
    }
}
