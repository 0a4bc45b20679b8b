public import BotonRepository
public import BotonRuntime
import Foundation
import Synchronization

/// Which node runs the singleton jobs: escalation with the central's outbox (`Escalator`), the monthly close
/// (`MonthlyCloser`) and receipt pruning (the ingestion writer's). Those jobs must run on exactly one node of a
/// cluster, the one holding the store's ``LeaderLock`` (PostgreSQL: an advisory lock on a session of its own).
///
/// One thread (`boton-leader`) owns the lock. Every `cluster.leader_check_ms` the leader checks that its session is
/// alive (``LeaderLock/isHeld()``) and a follower tries to take the lock (``LeaderLock/tryAcquire()``); a session
/// that breaks (the server restarted, failed over, or the network cut) loses the role at once, and the next check
/// opens a new session and tries again. Each change of role is logged (`event=leader role=lider|seguidor node=…`)
/// and reported to the observers (``onChange(_:)``), which wake the jobs; `/salud` shows the role.
///
/// The jobs ask ``isLeader`` (an atomic load) before each pass: a node that loses the role finishes the pass in
/// hand (bounded: one escalation pass, one month, a thousand receipts) and starts no other. ``start()`` makes the
/// first attempt before it returns, so a node that starts alone starts as the leader; ``stop()`` releases the lock,
/// and another node takes over at its next check. With SQLite the lock is always held.
public final class LeaderElection: Component {
    public let name = "leader-election"
    /// What this node is called in the `leader` lines and in `/salud`: host name and process id.
    public let node: String
    private let open: @Sendable () throws(StoreError) -> any LeaderLock
    private let interval: Duration
    private let logger: Logger
    private let leading = Atomic<Bool>(false)
    private let observers = Mutex<[@Sendable (Bool) -> Void]>([])
    private let thread = ServiceThread(name: "boton-leader")

    /// `open` makes a new lock (a new session) each time the previous one broke.
    public init(open: @escaping @Sendable () throws(StoreError) -> any LeaderLock, checkInterval: Duration,
                logger: Logger, node: String = LeaderElection.defaultNode) {
        self.open = open
        interval = checkInterval
        self.logger = logger
        self.node = node
    }

    public static var defaultNode: String {
        ProcessInfo.processInfo.hostName + ":" + String(ProcessInfo.processInfo.processIdentifier)
    }

    /// Whether this node runs the singleton jobs now. Cheap (an atomic load): ask before each pass.
    public var isLeader: Bool { leading.load(ordering: .acquiring) }

    /// `/salud`'s word for the role.
    public var role: String { isLeader ? "lider" : "seguidor" }

    /// Called on the election's thread with the new role each time it changes (must not block): the jobs wake.
    public func onChange(_ observer: @escaping @Sendable (Bool) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// The lock as the first attempt left it, handed to the thread that owns it from then on.
    private final class Handover: @unchecked Sendable {
        var lock: (any LeaderLock)?
        var lastError: String?
    }

    public func start() {
        let handover = Handover()
        check(&handover.lock, lastError: &handover.lastError)
        // Gaining the role is logged by the check; a node that starts as a follower says so too.
        if !isLeader { logger.info("leader", ["role": "seguidor", "node": node, "reason": "inicio"]) }
        thread.start { [self] in
            var lock = handover.lock
            var lastError = handover.lastError
            handover.lock = nil
            while thread.pause(interval) {
                check(&lock, lastError: &lastError)
            }
            lock?.release()
            lock = nil
            change(to: false, reason: "detenido")
        }
    }

    public func stop() { thread.stop() }

    public var failure: String? { thread.failure }

    /// One check: open a session if there is none, then keep or try to take the lock.
    private func check(_ lock: inout (any LeaderLock)?, lastError: inout String?) {
        do throws(StoreError) {
            if lock == nil { lock = try open() }
            let held = isLeader ? try lock!.isHeld() : try lock!.tryAcquire()
            change(to: held, reason: held ? "bloqueo_tomado" : "bloqueo_ocupado")
            lastError = nil
        } catch {
            // The session is gone, and the lock with it: the role goes at once; the next check starts anew.
            lock = nil
            change(to: false, reason: "sesion_perdida")
            if lastError != error.description {
                logger.warning("leader_check_failed", ["node": node, "error": error.description])
                lastError = error.description
            }
        }
    }

    private func change(to leader: Bool, reason: String) {
        guard leading.exchange(leader, ordering: .acquiringAndReleasing) != leader else { return }
        if leader {
            logger.info("leader", ["role": "lider", "node": node, "reason": reason])
        } else {
            logger.warning("leader", ["role": "seguidor", "node": node, "reason": reason])
        }
        for observer in observers.withLock({ $0 }) { observer(leader) }
    }
}
