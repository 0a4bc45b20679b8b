public import BotonCore

/// A complaint (`queja`) as stored.
public struct QuejaRecord: Sendable, Equatable {
    public var id: Int64?
    public var channel: QuejaChannel
    public var state: QuejaState
    /// The número de trámite the citizen gave, in its canonical form.
    public var tramiteRef: String?
    /// The alert the citizen named.
    public var incidentRef: Int64?
    /// The UPC it concerns: the referenced alert's or request's, or the one the officer chose.
    public var upcCode: String?
    /// The subcircuito it was placed in, from the referenced alert or request.
    public var subcircuitCode: String?
    public var description: String
    /// How to reach the citizen (free text: a phone or an e-mail), when they gave one.
    public var contact: String?
    public var receivedAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: Int64? = nil, channel: QuejaChannel, state: QuejaState = .recibida, tramiteRef: String? = nil,
                incidentRef: Int64? = nil, upcCode: String? = nil, subcircuitCode: String? = nil,
                description: String, contact: String? = nil, receivedAt: Timestamp, updatedAt: Timestamp? = nil) {
        self.id = id
        self.channel = channel
        self.state = state
        self.tramiteRef = tramiteRef
        self.incidentRef = incidentRef
        self.upcCode = upcCode
        self.subcircuitCode = subcircuitCode
        self.description = description
        self.contact = contact
        self.receivedAt = receivedAt
        self.updatedAt = updatedAt ?? receivedAt
    }
}

/// One step of a complaint's history.
public struct QuejaTransitionRecord: Sendable, Equatable {
    public var from: QuejaState?
    public var to: QuejaState
    /// `ciudadano`, `operador:42`.
    public var actor: String
    public var at: Timestamp
    public var note: String?

    public init(from: QuejaState?, to: QuejaState, actor: String, at: Timestamp, note: String?) {
        self.from = from
        self.to = to
        self.actor = actor
        self.at = at
        self.note = note
    }
}

/// Complaints and their histories. No method opens a transaction: the service wraps each operation in one.
public protocol QuejaRepository {
    /// Stores a new complaint and returns its id.
    func insertQueja(_ record: QuejaRecord) throws(StoreError) -> Int64
    func queja(id: Int64) throws(StoreError) -> QuejaRecord?
    /// The complaints of a scope (`upc`: that UPC's; `district`: those placed in the distrito; `all`), in the
    /// given states, oldest first.
    func quejas(scope: EnrollmentScope, states: [QuejaState], limit: Int) throws(StoreError) -> [QuejaRecord]
    func updateQuejaState(id: Int64, to state: QuejaState, at: Timestamp) throws(StoreError)
    func appendQuejaTransition(quejaID: Int64, _ transition: QuejaTransitionRecord) throws(StoreError)
    func quejaTransitions(quejaID: Int64) throws(StoreError) -> [QuejaTransitionRecord]
    /// The UPC and subcircuito of an alert, when it exists.
    func incidentPlace(id: Int64) throws(StoreError) -> (upc: String, subcircuit: String?)?
    /// The UPC and subcircuito of an enrollment request, by its número de trámite, when it exists.
    func enrollmentPlace(tramite: String) throws(StoreError) -> (upc: String, subcircuit: String)?
    /// True when a UPC with this code exists.
    func upcExists(_ code: String) throws(StoreError) -> Bool
}
