public import BotonCore
public import BotonRepository
import Foundation
public import BotonRuntime

/// Escalation of alerts nobody takes, and the central's outbox.
///
/// One thread (`boton-escalate`) with its own store connection. It sleeps until the next alert falls due (at
/// most a second, so a new alert, due `console.sla_s` after it arrived, is always seen in time; ``changed()``
/// wakes it early), then records one level for each alert due:
/// level *n* falls due `n × console.sla_s` after the alert arrived, while it is still `recibida` or `notificada`
/// and is not a test.
/// - level 1: the other UPCs of its circuito see it on their consoles (``ConsoleScope``);
/// - level 2: the distrito's supervisors are alerted (their consoles mark it);
/// - level 3: the central is notified: a JSON document goes to `central_delivery`, in the same transaction as the
///   event, and the thread POSTs it to `console.central_url`, retrying with exponential backoff (1 s doubling to
///   5 min) until it answers 2xx. Each delivery, the first failure of one, or the lack of a central is recorded on
///   the alert (its level-3 note, or a note of its own), so the consoles' badge follows it: no central configured,
///   pendiente, entregada, fallando (``CentralDeliveryState``). Without a central, start-up logs a warning
///   (`central_not_configured`) and `/salud` says so.
///
/// Every step is an `escalada` event in the alert's history, so every console in scope sees it live.
///
/// With several nodes on one database it runs on one node only: before each pass it asks `isLeader` (the app's
/// leader election; always true with one node) and, on a follower, only waits. The node that becomes the leader
/// wakes it (``changed()``) and it picks up whatever fell due meanwhile, the central's outbox included.
public final class Escalator: Component {
    public let name = "escalation"
    static let maxLevel = 3
    private let store: any StoreProvider
    private let jurisdictions: Jurisdictions
    private let slaMs: Int64
    private let central: CentralClient?
    private let centralURL: String
    private let feed: ConsoleFeed
    private let logger: Logger
    private let clock: @Sendable () -> Timestamp
    private let thread = ServiceThread(name: "boton-escalate")

    /// Alerts escalated in one pass at most; the next pass follows at once (``yieldMs`` later).
    static let passLimit = 50
    /// The pause between passes while more alerts are due, or while intake has frames waiting.
    static let yieldMs: Int64 = 10
    /// True while ingestion has frames waiting for its writer: a pass then stops after the alert in hand, so an
    /// alert being received goes before one being escalated (both write to one store).
    private let intakeBusy: @Sendable () -> Bool
    /// Whether this node runs the singleton jobs (asked before each pass; cheap).
    private let isLeader: @Sendable () -> Bool

    public init(store: any StoreProvider, jurisdictions: Jurisdictions,
                configuration: Configuration.Console, feed: ConsoleFeed, logger: Logger,
                intakeBusy: @escaping @Sendable () -> Bool = { false },
                isLeader: @escaping @Sendable () -> Bool = { true },
                clock: @escaping @Sendable () -> Timestamp = { SystemClock.now() })
    {
        self.intakeBusy = intakeBusy
        self.isLeader = isLeader
        self.store = store
        self.jurisdictions = jurisdictions
        slaMs = Int64(configuration.slaSeconds) * 1000
        centralURL = configuration.centralURL
        central = CentralClient.target(configuration.centralURL).map {
            CentralClient(target: $0, timeoutMs: configuration.centralTimeoutMilliseconds)
        }
        self.feed = feed
        self.logger = logger
        self.clock = clock
    }

    public func start() {
        if central == nil {
            // Level 3 is still recorded (and shown as such), but reaches nobody: say it where operators look.
            logger.warning("central_not_configured", [
                "setting": "console.central_url", "url": centralURL.isEmpty ? "-" : centralURL,
                "effect": "level 3 escalations are recorded but sent to no central",
            ])
        }
        thread.start { [self] in run() }
    }

    /// Whether level 3 has a central to notify (`console.central_url` set to an http(s) URL).
    public var hasCentral: Bool { central != nil }

    /// Look again now. Cheap; calls before the thread wakes count once.
    public func changed() { thread.wake() }

    public func stop() { thread.stop() }

    public var failure: String? { thread.failure }

    private func run() {
        var connection: (any StoreConnection)?
        var waitMs: Int64 = 0
        while thread.pause(.milliseconds(waitMs)) {
            waitMs = 1_000
            // A follower waits; the election wakes it when this node becomes the leader.
            guard isLeader() else { continue }
            do throws(StoreError) {
                if connection == nil { connection = try self.store.open(.background) }
                let store = connection!
                let pass = try escalatePass(store: store, now: clock())
                var changed = pass.changed
                changed = try deliverToCentral(store: store, now: clock()) || changed
                if changed { feed.changed() }
                if !pass.complete {
                    waitMs = Self.yieldMs  // more are due: the next pass soon, after intake has had its turn
                    continue
                }
                let now2 = clock()
                for due in [try store.nextEscalationDue(slaMs: slaMs, maxLevel: Self.maxLevel),
                            central == nil ? nil : try store.nextCentralAttempt()].compactMap({ $0 }) {
                    waitMs = min(waitMs, max(0, due.milliseconds(since: now2)))
                }
            } catch {
                logger.error("escalation_failed", ["error": error.description])
                connection = nil
            }
        }
    }

    /// The escalation half of one pass: records the next level of every alert due at `now` (and, at level 3 with a
    /// central configured, queues its delivery). True when something was written. The thread calls it on its own
    /// connection and clock; tests call it directly.
    func escalateDue(store: any StoreConnection, now: Timestamp) throws(StoreError) -> Bool {
        var changed = false
        while true {
            let pass = try escalatePass(store: store, now: now)
            changed = pass.changed || changed
            if pass.complete { return changed }
        }
    }

    /// One bounded pass: at most ``passLimit`` alerts, one transaction each, the longest waiting first; it stops
    /// early, after at least one, when intake has frames waiting. `complete` is false when more may be due.
    func escalatePass(store: any StoreConnection, now: Timestamp) throws(StoreError)
        -> (changed: Bool, complete: Bool)
    {
        let due = try store.incidentsDueForEscalation(now: now, slaMs: slaMs, maxLevel: Self.maxLevel,
                                                      limit: Self.passLimit)
        var changed = false
        for (index, record) in due.enumerated() {
            changed = try escalate(record, store: store, now: now) || changed
            if index + 1 < due.count && intakeBusy() { return (changed, false) }
        }
        return (changed, due.count < Self.passLimit)
    }

    /// Records the next level of one alert (re-checked inside the transaction). True when something was written.
    private func escalate(_ due: IncidentRecord, store: any StoreConnection, now: Timestamp) throws(StoreError)
        -> Bool
    {
        do {
            return try store.inTransaction(rethrowing: { () throws -> Bool in
                guard var record = try store.incident(id: due.id), record.escalationLevel == due.escalationLevel,
                      !record.isTest,
                      record.state == .recibida || record.state == .notificada
                else { return false }
                var incident = try IncidentHistory.replay(record, try store.incidentEvents(incident: record.id))
                let level = record.escalationLevel + 1
                let at = max(now, incident.updatedAt)
                try incident.escalate(level: level, by: .sistema, at: at)
                var event = IncidentHistory.record(of: incident.events.last!, incident: record.id)
                event.note = note(level: level, record)
                try store.appendIncidentEvent(event)
                record.escalationLevel = level
                try store.updateIncident(record)
                if level == 3, central != nil {
                    try store.enqueueCentralDelivery(incident: record.id, payload: payload(record, at: at), at: at)
                }
                logger.warning("incident_escalated", ["incident": String(record.id), "level": String(level),
                                                      "upc": record.upcCode,
                                                      "waiting_s": String(at.milliseconds(since: record.openedAt) / 1000)])
                return true
            })
        } catch let error as StoreError {
            throw error
        } catch {
            logger.error("escalation_refused", ["incident": String(due.id), "error": String(describing: error)])
            return false
        }
    }

    private func note(level: Int, _ record: IncidentRecord) -> String {
        let waited = "Sin tomar en \(Int64(level) * slaMs / 1000) s"
        switch level {
        case 1:
            let circuit = jurisdictions.circuit(of: record) ?? "?"
            let others = jurisdictions.neighbours(of: record)
            return others.isEmpty
                ? "\(waited): el circuito \(circuit) no tiene otras UPC; sigue al distrito."
                : "\(waited): visible para las UPC del circuito \(circuit) (\(others.joined(separator: ", ")))."
        case 2:
            return "\(waited): alerta a los supervisores del distrito \(jurisdictions.district(of: record) ?? "?")."
        default:
            return central == nil
                ? "\(waited): no hay central configurada (console.central_url): no se envió a ninguna central."
                : "\(waited): se notifica a la central."
        }
    }

    private func payload(_ r: IncidentRecord, at: Timestamp) -> String {
        struct Body: Encodable {
            let alerta: Int64
            let upc: String
            let subcircuito: String?
            let circuito: String?
            let distrito: String?
            let linea: String
            let linea_suspendida: Bool
            /// A silent alert: the citizen cannot talk; the central must not call the line either.
            let silenciosa: Bool
            let recibida_en: String
            let escalada_en: String
            let nivel: Int
        }
        let body = Body(alerta: r.id, upc: r.upcCode, subcircuito: r.subcircuitCode,
                        circuito: jurisdictions.circuit(of: r), distrito: jurisdictions.district(of: r),
                        linea: r.lineE164, linea_suspendida: r.lineSuspended, silenciosa: r.isSilent,
                        recibida_en: APITime.text(r.openedAt),
                        escalada_en: APITime.text(at), nivel: 3)
        return (try? JSONEncoder().encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// POSTs what is due in the outbox. True when a delivery was recorded on an alert.
    private func deliverToCentral(store: any StoreConnection, now: Timestamp) throws(StoreError) -> Bool {
        guard let central else { return false }
        var recorded = false
        for delivery in try store.dueCentralDeliveries(now: now, limit: 20) {
            let attempts = delivery.attempts + 1
            var failure: String
            do {
                let status = try central.post(delivery.payload, idempotencyKey: "alerta-\(delivery.incidentID)-\(delivery.id)")
                if (200..<300).contains(status) {
                    let at = clock()
                    try store.inTransaction { () throws(StoreError) in
                        try store.markCentralDelivered(id: delivery.id, attempts: attempts, at: at)
                        try store.appendIncidentEvent(IncidentEventRecord(
                            incidentID: delivery.incidentID, kind: "nota", actor: Author.sistema.storageForm, at: at,
                            detail: "La central recibió la alerta (HTTP \(status), intento \(attempts))."))
                    }
                    logger.info("central_delivered", ["incident": String(delivery.incidentID),
                                                      "status": String(status), "attempts": String(attempts)])
                    recorded = true
                    continue
                }
                failure = "HTTP \(status)"
            } catch let error as StoreError {
                throw error
            } catch {
                failure = String(describing: error)
            }
            let backoff = min(Int64(1_000) << Int64(min(attempts - 1, 20)), 300_000)
            let at = clock()
            let next = at.adding(milliseconds: backoff)
            if attempts == 1 {
                // The first failure goes on the alert (the consoles' badge turns to "fallando"); later ones only
                // to the log, so a long outage does not fill the alert's history.
                let error = failure
                let shown = error.hasPrefix("HTTP ") ? error : "sin respuesta"
                try store.inTransaction { () throws(StoreError) in
                    try store.markCentralFailed(id: delivery.id, attempts: attempts, next: next, error: error)
                    try store.appendIncidentEvent(IncidentEventRecord(
                        incidentID: delivery.incidentID, kind: "nota", actor: Author.sistema.storageForm, at: at,
                        detail: "La central no confirmó la recepción (\(shown)); se reintenta hasta que responda."))
                }
                recorded = true
            } else {
                try store.markCentralFailed(id: delivery.id, attempts: attempts, next: next, error: failure)
            }
            logger.warning("central_delivery_failed", ["incident": String(delivery.incidentID), "url": centralURL,
                                                       "attempts": String(attempts), "error": failure,
                                                       "retry_ms": String(backoff)])
        }
        return recorded
    }
}
