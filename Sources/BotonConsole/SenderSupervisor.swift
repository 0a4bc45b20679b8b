public import BotonCore
public import BotonRepository
import Synchronization
public import BotonRuntime

/// The supervision pass: finds the senders that fell silent (BotonCore's ``SenderSupervision``) and marks them, so
/// their UPC's console lists them "Sin señal" and `/metrics` counts them.
///
/// One thread (`boton-supervise`) with its own store connection, every `supervision.check_ms`:
/// - on the leader only (a singleton job, like the escalation: with several nodes on one PostgreSQL database the
///   node holding the lock), it reads the senders past their deadline and not yet marked
///   (``SupervisionRepository/sendersFallingSilent(now:limit:)``: an index range, ``passLimit`` rows per
///   transaction, repeated while full), and marks each silent since its deadline (a frame that came meanwhile wins:
///   the mark re-checks the deadline), or stops supervising it when it was revoked or disabled. One log line per
///   sender that falls silent (`event=sender_silent`);
/// - on every node, it reads the counts by kind for `/metrics` (``silentCounts``).
///
/// Nothing is kept only here: the marks are rows, so a restart (or another node becoming the leader) keeps who is
/// silent. The next frame of a silent sender clears its mark in the ingestion writer's batch.
public final class SenderSupervisor: Component {
    public let name = "supervision"
    static let passLimit = 500
    private let store: any StoreProvider
    private let intervalMs: Int64
    private let logger: Logger
    private let isLeader: @Sendable () -> Bool
    private let clock: @Sendable () -> Timestamp
    private let thread = ServiceThread(name: "boton-supervise")
    private let counts = Mutex<[SenderKind: Int]?>(nil)

    public init(store: any StoreProvider, configuration: Configuration.Supervision, logger: Logger,
                isLeader: @escaping @Sendable () -> Bool = { true },
                clock: @escaping @Sendable () -> Timestamp = { SystemClock.now() }) {
        self.store = store
        intervalMs = Int64(configuration.checkMilliseconds)
        self.logger = logger
        self.isLeader = isLeader
        self.clock = clock
    }

    public func start() {
        thread.start { [self] in run() }
    }

    /// Look again now (a node that becomes the leader).
    public func changed() { thread.wake() }

    public func stop() { thread.stop() }

    public var failure: String? { thread.failure }

    /// Silent senders by kind, as last read (nil before the first reading, or when the store could not be read).
    public var silentCounts: [SenderKind: Int]? { counts.withLock { $0 } }

    private func run() {
        var connection: (any StoreConnection)?
        var waitMs: Int64 = 0
        while thread.pause(.milliseconds(waitMs)) {
            waitMs = intervalMs
            do throws(StoreError) {
                if connection == nil { connection = try store.open(.background) }
                try turn(store: connection!)
            } catch {
                logger.error("supervision_failed", ["error": error.description])
                counts.withLock { $0 = nil }
                connection = nil
            }
        }
    }

    /// One turn of the thread: on the leader the pass marks who fell silent; on every node the counts are read.
    public func turn(store: any StoreConnection) throws(StoreError) {
        if isLeader() { _ = try markSilent(store: store, now: clock()) }
        let read = try store.silentSenderCounts()
        counts.withLock { $0 = read }
    }

    /// One supervision pass at `now`: marks every sender past its deadline (``passLimit`` per transaction) and
    /// returns them. The thread calls it on its connection and clock; tests call it directly.
    public func markSilent(store: any StoreConnection, now: Timestamp) throws(StoreError) -> [SupervisedSender] {
        var marked: [SupervisedSender] = []
        while true {
            let (batch, complete) = try store.inTransaction { () throws(StoreError) -> ([SupervisedSender], Bool) in
                let due = try store.sendersFallingSilent(now: now, limit: Self.passLimit)
                var batch: [SupervisedSender] = []
                for var sender in due {
                    guard try store.senderIsSupervisable(kind: sender.kind, sender: sender.sender) else {
                        try store.stopSupervising(kind: sender.kind, sender: sender.sender)
                        continue
                    }
                    if try store.markSilent(kind: sender.kind, sender: sender.sender, since: sender.silentAt,
                                            now: now) {
                        sender.silentSince = sender.silentAt
                        batch.append(sender)
                    }
                }
                return (batch, due.count < Self.passLimit)
            }
            for sender in batch {
                logger.warning("sender_silent", [
                    "kind": sender.kind.rawValue, "sender": sender.sender, "upc": sender.upcCode,
                    "last_seen": APITime.text(sender.lastSeenAt), "interval_s": String(sender.intervalSeconds),
                ])
            }
            marked += batch
            if complete { return marked }
        }
    }
}
