public import BotonCore

/// An alert as stored (`incident`). States and outcomes are the Spanish names of `IncidentState` and
/// `IncidentOutcome`.
public struct IncidentRecord: Sendable, Equatable {
    public var id: Int64
    public var lineE164: String
    public var deviceID: String?
    public var isTest: Bool
    public var state: String
    public var outcome: String?
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
}

/// One row of `incident_event`: its id is the console feed's event id (monotonic, never reused: the table is
/// append-only).
public struct IncidentEventRecord: Sendable, Equatable {
    public var id: Int64
    public var incidentID: Int64
    /// `transicion`, `escalada`, `nota`, `posicion`, `cancelacion`.
    public var kind: String
    public var fromState: String?
    public var toState: String?
    public var actor: String
    public var at: Timestamp
    /// Kind-specific: the outcome of a closing, the level of an escalation, `lat,lon` of a position, a note's text.
    public var detail: String?
    /// Free text of a transition or closing.
    public var note: String?

    public init(id: Int64 = 0, incidentID: Int64, kind: String, fromState: String? = nil, toState: String? = nil,
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
}

/// A notification to the central waiting in the outbox.
public struct CentralDeliveryRecord: Sendable, Equatable {
    public var id: Int64
    public var incidentID: Int64
    public var payload: String
    public var attempts: Int
    public var nextAttemptAt: Timestamp
}

/// Whether a phone line is suspended, and since when false alarms count again.
public struct LineSuspension: Sendable, Equatable {
    public var suspendedAt: Timestamp?
    public var liftedAt: Timestamp?
}
