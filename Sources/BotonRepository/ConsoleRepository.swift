public import BotonCore

/// An alert as stored (`incident`), with the domain's state and outcome.
public struct IncidentRecord: Sendable, Equatable {
    public var id: Int64
    public var lineE164: String
    public var deviceID: String?
    public var isTest: Bool
    public var state: IncidentState
    public var outcome: IncidentOutcome?
    public var upcCode: String
    public var subcircuitCode: String?
    public var locationSource: String
    public var lineSuspended: Bool
    public var openedAt: Timestamp
    public var takenAt: Timestamp?
    public var closedAt: Timestamp?
    public var cancelledAt: Timestamp?
    public var escalationLevel: Int
    public var takenBy: String?
    public var dispatchedAt: Timestamp?
    public var unit: String?
    /// The DC-09 site the alert came from, nil for a phone's or a gateway's.
    public var site: IncidentSite?
    /// At escalation level 3, what became of the notice to the central (read with the alert, never written with
    /// it): ``CentralDeliveryState``; nil below level 3.
    public var central: CentralDeliveryState?
    /// A silent alert: the citizen cannot talk; the UPC must not call the line.
    public var isSilent: Bool
    /// The last battery level (percent) a frame of the alert carried, nil when none did.
    public var batteryPercent: Int?
    /// A *simulacro* of the load generator (a simulated line's alert): never counted nor escalated, shown only on
    /// consoles that ask for simulations.
    public var simulated: Bool

    public init(id: Int64, lineE164: String, deviceID: String?, isTest: Bool, state: IncidentState,
                outcome: IncidentOutcome?, upcCode: String, subcircuitCode: String?, locationSource: String,
                lineSuspended: Bool, openedAt: Timestamp, takenAt: Timestamp?, closedAt: Timestamp?,
                cancelledAt: Timestamp?, escalationLevel: Int, takenBy: String?, dispatchedAt: Timestamp?,
                unit: String?, site: IncidentSite? = nil, central: CentralDeliveryState? = nil,
                simulated: Bool = false, isSilent: Bool = false, batteryPercent: Int? = nil) {
        self.simulated = simulated
        self.isSilent = isSilent
        self.batteryPercent = batteryPercent
        self.site = site
        self.central = central
        self.id = id
        self.lineE164 = lineE164
        self.deviceID = deviceID
        self.isTest = isTest
        self.state = state
        self.outcome = outcome
        self.upcCode = upcCode
        self.subcircuitCode = subcircuitCode
        self.locationSource = locationSource
        self.lineSuspended = lineSuspended
        self.openedAt = openedAt
        self.takenAt = takenAt
        self.closedAt = closedAt
        self.cancelledAt = cancelledAt
        self.escalationLevel = escalationLevel
        self.takenBy = takenBy
        self.dispatchedAt = dispatchedAt
        self.unit = unit
    }
}

/// One row of `incident_event`: its id is the console feed's event id (monotonic, never reused: the table is
/// append-only).
public struct IncidentEventRecord: Sendable, Equatable {
    public var id: Int64
    public var incidentID: Int64
    /// `transicion`, `escalada`, `nota`, `posicion`, `cancelacion`.
    public var kind: String
    public var fromState: IncidentState?
    public var toState: IncidentState?
    public var actor: String
    public var at: Timestamp
    /// Kind-specific: the outcome of a closing, the level of an escalation, `lat,lon` of a position, a note's text.
    public var detail: String?
    /// Free text of a transition or closing.
    public var note: String?

    public init(id: Int64 = 0, incidentID: Int64, kind: String, fromState: IncidentState? = nil,
                toState: IncidentState? = nil,
                actor: String, at: Timestamp, detail: String? = nil, note: String? = nil) {
        self.id = id
        self.incidentID = incidentID
        self.kind = kind
        self.fromState = fromState
        self.toState = toState
        self.actor = actor
        self.at = at
        self.detail = detail
        self.note = note
    }
}

/// A position received for an alert.
public struct IncidentPositionRecord: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double
    public var accuracyMeters: Int?
    public var fixAgeSeconds: Int?
    public var receivedAt: Timestamp
    /// The battery level the frame carried with this position, nil when unknown.
    public var batteryPercent: Int?

    public init(latitude: Double, longitude: Double, accuracyMeters: Int?, fixAgeSeconds: Int?, receivedAt: Timestamp,
                batteryPercent: Int? = nil) {
        self.batteryPercent = batteryPercent
        self.latitude = latitude
        self.longitude = longitude
        self.accuracyMeters = accuracyMeters
        self.fixAgeSeconds = fixAgeSeconds
        self.receivedAt = receivedAt
    }
}

/// What became of an alert's level-3 notice to the central. Raw values are what the console shows.
public enum CentralDeliveryState: String, Sendable, Equatable {
    /// No central was configured (`console.central_url` empty) when it escalated: nothing was sent anywhere.
    case sinCentral = "sin_central"
    /// Waiting in the outbox, not tried yet.
    case pendiente
    /// The central answered 2xx.
    case entregada
    /// Tried and failed at least once; retried with backoff.
    case fallando
}

/// The central's outbox, for `/salud`.
public struct CentralOutbox: Sendable, Equatable {
    /// Notices not delivered yet.
    public var pending: Int
    /// Of those, notices tried at least once without a 2xx.
    public var failing: Int

    public init(pending: Int, failing: Int) {
        self.pending = pending
        self.failing = failing
    }
}

/// A notification to the central waiting in the outbox.
public struct CentralDeliveryRecord: Sendable, Equatable {
    public var id: Int64
    public var incidentID: Int64
    public var payload: String
    public var attempts: Int
    public var nextAttemptAt: Timestamp

    public init(id: Int64, incidentID: Int64, payload: String, attempts: Int, nextAttemptAt: Timestamp) {
        self.id = id
        self.incidentID = incidentID
        self.payload = payload
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}

/// Whether a phone line is suspended, and since when false alarms count again.
public struct LineSuspension: Sendable, Equatable {
    public var suspendedAt: Timestamp?
    public var liftedAt: Timestamp?

    public init(suspendedAt: Timestamp?, liftedAt: Timestamp?) {
        self.suspendedAt = suspendedAt
        self.liftedAt = liftedAt
    }
}

/// What the console (feed, desk, escalation) reads and writes about alerts, their events and the lines that
/// raise them.
public protocol ConsoleRepository {
    func incident(id: Int64) throws(StoreError) -> IncidentRecord?
    /// Alerts not yet closed, and those closed since `closedSince`, newest first.
    func currentIncidents(closedSince: Timestamp, limit: Int) throws(StoreError) -> [IncidentRecord]
    /// Writes the mutable columns of an alert.
    func updateIncident(_ r: IncidentRecord) throws(StoreError)
    @discardableResult
    func appendIncidentEvent(_ e: IncidentEventRecord) throws(StoreError) -> Int64
    func incidentEvents(incident: Int64) throws(StoreError) -> [IncidentEventRecord]
    func incidentPositions(incident: Int64) throws(StoreError) -> [IncidentPositionRecord]
    /// The id of the newest event (0 when there is none).
    func latestIncidentEventID() throws(StoreError) -> Int64
    /// Events after `id` (at most `limit`, oldest first) with their alert as it is now, optionally only those at
    /// or after `since`.
    func feed(after id: Int64, since: Timestamp?, limit: Int) throws(StoreError)
        -> [(event: IncidentEventRecord, incident: IncidentRecord)]
    /// A console's replay, one slice of its scope at a time: the events with ids in (`after`, `through`] of the
    /// alerts placed at `slice`, at or after `since`, oldest first, at most `limit`; with the alert as it is now.
    /// One range of an index per call, whatever the other UPCs wrote in the window.
    func feed(_ slice: FeedSlice, after: Int64, through: Int64, since: Timestamp, limit: Int) throws(StoreError)
        -> [(event: IncidentEventRecord, incident: IncidentRecord)]
    /// What a console that connects without `Last-Event-ID` starts from, one slice of its scope at a time: the
    /// newest event of every alert placed at `slice` that is open or closed since `closedSince`, when that event's
    /// id is in (`after`, `through`]; oldest first, at most `limit`.
    func feedSnapshot(_ slice: FeedSlice, closedSince: Timestamp, after: Int64, through: Int64, limit: Int)
        throws(StoreError) -> [(event: IncidentEventRecord, incident: IncidentRecord)]
    /// Real alerts waiting (not taken) whose next escalation level is due at `now`.
    /// At most `limit` of them, the longest waiting first.
    func incidentsDueForEscalation(now: Timestamp, slaMs: Int64, maxLevel: Int, limit: Int) throws(StoreError)
        -> [IncidentRecord]
    /// The earliest instant at which a waiting real alert falls due for its next level, if any.
    func nextEscalationDue(slaMs: Int64, maxLevel: Int) throws(StoreError) -> Timestamp?
    func enqueueCentralDelivery(incident: Int64, payload: String, at: Timestamp) throws(StoreError)
    func dueCentralDeliveries(now: Timestamp, limit: Int) throws(StoreError) -> [CentralDeliveryRecord]
    func nextCentralAttempt() throws(StoreError) -> Timestamp?
    /// What the outbox holds undelivered.
    func centralOutbox() throws(StoreError) -> CentralOutbox
    func markCentralDelivered(id: Int64, attempts: Int, at: Timestamp) throws(StoreError)
    func markCentralFailed(id: Int64, attempts: Int, next: Timestamp, error: String) throws(StoreError)
    func lineSuspension(_ e164: String) throws(StoreError) -> LineSuspension?
    func lineIsSuspended(e164: String) throws(StoreError) -> Bool?
    /// The line's registered home (subcircuito and position), for lines provisioned without an enrollment.
    func lineHome(e164: String) throws(StoreError) -> (subcircuit: String?, latitude: Double?, longitude: Double?)?
    /// Real alerts of the line closed as `falsa_alarma` at or after `since`.
    func falseAlarms(line: String, since: Timestamp) throws(StoreError) -> Int
    func suspendLine(_ e164: String, at: Timestamp) throws(StoreError)
    func liftLineSuspension(_ e164: String, at: Timestamp) throws(StoreError)
    /// The line's request in `state` (the newest), if any.
    func enrollment(line: String, state: EnrollmentState) throws(StoreError) -> EnrollmentRecord?
    /// The line's newest request that got as far as a credential.
    func latestRegisteredEnrollment(line: String) throws(StoreError) -> EnrollmentRecord?
    /// How many alerts are not closed (`/metrics`).
    func openIncidentCount() throws(StoreError) -> Int
}

/// Where a console's replay reads: the alerts placed at one UPC (for a neighbouring UPC's, only those escalated
/// now, level 1 and up), or every UPC's (`upc` nil).
public struct FeedSlice: Sendable, Hashable, CustomStringConvertible {
    public var upc: String?
    public var escalatedOnly: Bool

    public init(upc: String?, escalatedOnly: Bool = false) {
        self.upc = upc
        self.escalatedOnly = escalatedOnly
    }

    /// Every UPC's alerts.
    public static let everywhere = FeedSlice(upc: nil)

    public var description: String { (upc ?? "*") + (escalatedOnly ? "+escaladas" : "") }
}

extension ConsoleRepository {
    /// Events after `id`, however old.
    public func feed(after id: Int64, limit: Int) throws(StoreError)
        -> [(event: IncidentEventRecord, incident: IncidentRecord)]
    {
        try feed(after: id, since: nil, limit: limit)
    }
}

extension IncidentEventRecord {
    /// The stored form of one of the domain's ``IncidentEvent``s: the first event is `transicion` from NULL to
    /// `recibida`; a state change is `transicion` with `from_state`/`to_state` (and `note`); a closing is
    /// `transicion` to `cerrada` with the outcome in `detail`; `escalada` has its level in `detail`; `nota` its text in
    /// `detail`; `posicion` has `lat,lon`; `cancelacion` nothing more.
    public init(_ event: IncidentEvent, incident: Int64) {
        self.init(incidentID: incident, kind: "transicion", actor: event.actor.storageForm, at: event.at,
                  note: event.note)
        switch event.kind {
        case .recibida:
            self.toState = .recibida
        case .transicion(let from, let to):
            self.fromState = from
            self.toState = to
        case .cierre(let from, let outcome):
            self.fromState = from
            self.toState = .cerrada
            self.detail = outcome.rawValue
        case .escalada(let level):
            self.kind = "escalada"
            self.detail = String(level)
        case .nota(let text):
            self.kind = "nota"
            self.detail = text
            self.note = nil
        case .posicion(let p):
            self.kind = "posicion"
            self.detail = "\(p.latitude),\(p.longitude)"
        case .cancelacionCiudadano:
            self.kind = "cancelacion"
        }
    }
}
