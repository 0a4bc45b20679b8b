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
    & AuditLogRepository

/// decode → authenticate → de-duplicate → locate → group commit → acknowledge → publish.
///
/// Listener threads call ``submit(_:receivedAt:route:)``: it checks the frame's shape (no key needed) and either
/// answers at once (malformed, queue full) or queues it. One writer thread owns the write connection: it takes a
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
    private let subscribers = Mutex<[@Sendable (IncidentNotice) -> Void]>([])
    private let replies: ReplyTransports
    private let writerThread = Mutex<JoinableThread?>(nil)
    private let draining = Atomic<Bool>(false)
    private let died = Mutex<String?>(nil)
    private let writer: Writer

    /// `store` is the writer's own connection: the only one that writes alerts (``ConnectionRole/ingestionWriter``).
    /// `replies` are the bound listeners whose frames it answers (none: only `.callback` routes are answered).
    public init(store: any IngestionStore, routing: RoutingTable, configuration: Configuration, logger: Logger,
                replies: ReplyTransports = ReplyTransports()) {
        self.replies = replies
        settings = configuration
        self.logger = logger
        queue = CommitQueue(capacity: configuration.ingest.queueDepth, maxFrames: configuration.ingest.batchMaxFrames)
        writer = Writer(store: store, routing: routing, configuration: configuration)
    }

    public var status: IngestionStatus {
        var status = statusBox.withLock { $0 }
        status.received = receivedCount.load(ordering: .relaxed)
        status.busy += listenerBusyCount.load(ordering: .relaxed)
        let malformed = malformedCount.load(ordering: .relaxed)
        if malformed > 0 { status.rejected["malformada", default: 0] += malformed }
        return status
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

    /// From a listener thread: queues the frame for the writer (its answer comes later by `route`), or answers at
    /// once when the frame's shape is wrong or the queue is full.
    public func submit(_ frame: UnsafeRawBufferPointer, receivedAt: Timestamp, route: ReplyRoute) -> Submission {
        receivedCount.add(1, ordering: .relaxed)
        let header: FrameHeader
        do {
            header = try WireFrame.peek(frame)
        } catch {
            malformedCount.add(1, ordering: .relaxed)
            guard let rejection = ShortRejection.answering(error, datagram: frame) else { return .malformed(nil) }
            return .malformed(ReplyBytes { rejection.encode(into: $0) })
        }
        if queue.offer(IngestRequest(frame: frame, receivedAt: receivedAt, route: route)) { return .queued }
        listenerBusyCount.add(1, ordering: .relaxed)
        // Unauthenticated: we have not looked up the key, and must not wait to. The client retries.
        return .busy(ReplyBytes { buffer in
            Acknowledgement.busy(sequence: header.sequence, serverTimeMs: receivedAt.millisecondsSince1970)
                .encodeUnauthenticated(into: buffer)
        })
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
        while queue.takeBatch(into: &batch, shown: &shown, window: window) {
            if ContinuousClock.now >= nextPrune {
                pruneReceipts()
                nextPrune = ContinuousClock.now + .seconds(600)
            }
            let began = ContinuousClock.now
            let now = SystemClock.now()
            outcomes.removeAll(keepingCapacity: true)
            var notices: [IncidentNotice] = []
            let committed: Bool
            do {
                try writer.store.inTransaction { () throws(StoreError) in
                    for request in batch {
                        outcomes.append(try writer.process(request, now: now, notices: &notices))
                    }
                    recordShown(shown, now: now, notices: &notices)
                }
                committed = true
            } catch {
                committed = false
                logger.error("commit_failed", ["frames": String(batch.count), "error": error.description])
                statusBox.withLock { $0.storageFailure = error.description }
                writer.forgetCachedCredentials()
            }
            let elapsed = ContinuousClock.now - began
            let micros = Int(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
            if committed {
                if let failure = statusBox.withLock({ $0.storageFailure }) {
                    logger.info("storage_recovered", ["previous_error": failure])
                }
                deliver(outcomes, batch: batch)
                for notice in notices { for s in subscribers.withLock({ $0 }) { s(notice) } }
            } else {
                deliverBusy(batch, now: now)
            }
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
                        }
                    }
                }
            }
        }
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
        send(zip(batch, answers).map { request, answer in (request.route, answer.bytes()) })
    }

    /// After a failed commit: nothing was stored, so every sender is told to retry.
    private func deliverBusy(_ batch: [IngestRequest], now: Timestamp) {
        send(batch.map { request in
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
