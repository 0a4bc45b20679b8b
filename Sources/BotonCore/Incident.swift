/// An alert (`alerta`) and its append-only event log.
///
/// A value: mutate a copy, then persist `events`. Rules:
/// - transitions: recibida→notificada, recibida→tomada, notificada→tomada, tomada→despachada, and
///   tomada|despachada→cerrada through ``close(outcome:by:at:note:)`` (which records the outcome);
/// - a test alert closes only as `prueba`, a real one never as `prueba`;
/// - ``escalate(level:by:at:)`` only while recibida/notificada, with levels 1, 2, … strictly increasing;
/// - positions, the citizen's cancellation (once) and notes are accepted until the alert is cerrada;
/// - every step records its actor and time, and times never go backwards.
public struct Incident: Sendable, Hashable {
    /// A test alert (the one that activates an enrolment).
    public let isTest: Bool
    public private(set) var state: IncidentState
    /// Set when cerrada.
    public private(set) var outcome: IncidentOutcome?
    /// Every event, oldest first; the first is `.recibida`.
    public private(set) var events: [IncidentEvent]
    /// Highest escalation level recorded, 0 if none.
    public private(set) var escalationLevel: Int
    /// Whether the citizen cancelled the alert from the device.
    public private(set) var cancelledByCitizen: Bool
    /// The last position reported, if any.
    public private(set) var lastPosition: GeoPosition?

    /// A new alert in state `recibida`, optionally with its first position.
    public init(receivedAt at: Timestamp, by actor: Author, isTest: Bool = false, position: GeoPosition? = nil) {
        self.isTest = isTest
        self.state = .recibida
        self.outcome = nil
        self.events = [IncidentEvent(.recibida(isTest: isTest), actor: actor, at: at)]
        self.escalationLevel = 0
        self.cancelledByCitizen = false
        self.lastPosition = nil
        if let position {
            events.append(IncidentEvent(.posicion(position), actor: actor, at: at))
            lastPosition = position
        }
    }

    /// Rebuilds an alert from stored events, checking every step with the same rules.
    public init(replaying stored: [IncidentEvent]) throws(TransitionError) {
        guard let first = stored.first, case .recibida(let test) = first.kind else {
            throw TransitionError(.alerta, .invalidHistory)
        }
        self.init(receivedAt: first.at, by: first.actor, isTest: test)
        for event in stored.dropFirst() {
            switch event.kind {
            case .recibida:
                throw TransitionError(.alerta, .invalidHistory, from: state.rawValue)
            case .transicion(let from, let to):
                guard from == state else {
                    throw TransitionError(.alerta, .invalidHistory, from: state.rawValue, to: to.rawValue)
                }
                try transition(to: to, by: event.actor, at: event.at, note: event.note)
            case .cierre(let from, let outcome):
                guard from == state else {
                    throw TransitionError(.alerta, .invalidHistory, from: state.rawValue,
                                          to: IncidentState.cerrada.rawValue)
                }
                try close(outcome: outcome, by: event.actor, at: event.at, note: event.note)
            case .escalada(let level):
                try escalate(level: level, by: event.actor, at: event.at)
            case .posicion(let p):
                try addPosition(p, by: event.actor, at: event.at)
            case .cancelacionCiudadano:
                try cancelByCitizen(by: event.actor, at: event.at, note: event.note)
            case .nota(let text):
                try addNote(text, by: event.actor, at: event.at)
            }
        }
    }

    public var receivedAt: Timestamp { events[0].at }
    public var updatedAt: Timestamp { events[events.count - 1].at }

    /// Moves the alert to `notificada`, `tomada` or `despachada`. Use ``close(outcome:by:at:note:)`` for
    /// `cerrada` (asking for it here throws `outcome_required`).
    public mutating func transition(to next: IncidentState, by actor: Author, at: Timestamp,
                                    note: String? = nil) throws(TransitionError) {
        try checkOpen(at: at, to: next)
        guard state.canTransition(to: next) else {
            throw TransitionError(.alerta, .illegalTransition, from: state.rawValue, to: next.rawValue)
        }
        guard next != .cerrada else {
            throw TransitionError(.alerta, .outcomeRequired, from: state.rawValue, to: next.rawValue)
        }
        events.append(IncidentEvent(.transicion(from: state, to: next), actor: actor, at: at, note: note))
        state = next
    }

    /// Closes the alert (from tomada or despachada) with its outcome.
    public mutating func close(outcome: IncidentOutcome, by actor: Author, at: Timestamp,
                               note: String? = nil) throws(TransitionError) {
        try checkOpen(at: at, to: .cerrada)
        guard state.canTransition(to: .cerrada) else {
            throw TransitionError(.alerta, .illegalTransition, from: state.rawValue, to: IncidentState.cerrada.rawValue)
        }
        guard (outcome == .prueba) == isTest else {
            throw TransitionError(.alerta, .outcomeNotAllowed, from: state.rawValue, to: IncidentState.cerrada.rawValue)
        }
        events.append(IncidentEvent(.cierre(from: state, outcome: outcome), actor: actor, at: at, note: note))
        state = .cerrada
        self.outcome = outcome
    }

    /// Records that the SLA passed without the alert being taken. Only while recibida or notificada;
    /// `level` must be above the previous one (the first is 1 or more).
    public mutating func escalate(level: Int, by actor: Author, at: Timestamp) throws(TransitionError) {
        try checkOpen(at: at, to: nil)
        guard state.canEscalate else {
            throw TransitionError(.alerta, .escalationNotAllowed, from: state.rawValue)
        }
        guard level >= 1, level > escalationLevel else {
            throw TransitionError(.alerta, .invalidLevel, from: state.rawValue)
        }
        events.append(IncidentEvent(.escalada(level: level), actor: actor, at: at))
        escalationLevel = level
    }

    /// Records a new position of the citizen (until the alert is closed).
    public mutating func addPosition(_ position: GeoPosition, by actor: Author, at: Timestamp) throws(TransitionError) {
        try checkOpen(at: at, to: nil)
        events.append(IncidentEvent(.posicion(position), actor: actor, at: at))
        lastPosition = position
    }

    /// Records the citizen's cancellation (once, until the alert is closed). The state does not change: an
    /// operator still closes the alert, usually as `cancelada_por_ciudadano`.
    public mutating func cancelByCitizen(by actor: Author, at: Timestamp, note: String? = nil) throws(TransitionError) {
        try checkOpen(at: at, to: nil)
        guard !cancelledByCitizen else {
            throw TransitionError(.alerta, .alreadyCancelled, from: state.rawValue)
        }
        events.append(IncidentEvent(.cancelacionCiudadano, actor: actor, at: at, note: note))
        cancelledByCitizen = true
    }

    /// Records a free-text note (until the alert is closed).
    public mutating func addNote(_ text: String, by actor: Author, at: Timestamp) throws(TransitionError) {
        try checkOpen(at: at, to: nil)
        guard !text.trimmingWhitespace().isEmpty else {
            throw TransitionError(.alerta, .emptyNote, from: state.rawValue)
        }
        events.append(IncidentEvent(.nota(text), actor: actor, at: at))
    }

    private func checkOpen(at: Timestamp, to next: IncidentState?) throws(TransitionError) {
        guard !state.isTerminal else {
            throw TransitionError(.alerta, .terminalState, from: state.rawValue, to: next?.rawValue)
        }
        guard at >= updatedAt else {
            throw TransitionError(.alerta, .outOfOrder, from: state.rawValue, to: next?.rawValue)
        }
    }
}

extension Incident {
    /// The step an alert takes when a console of its own UPC shows it: `recibida` → `notificada`, by the system,
    /// under the same rule as ``transition(to:by:at:note:)`` (``IncidentState/canTransition(to:)``). The ingestion
    /// writer records it without replaying the alert's history: the stored state is all the rule reads. Nil when
    /// the state does not allow it (already notified, taken or closed): nothing is recorded.
    public static func shownOnConsole(from state: IncidentState, at: Timestamp, note: String?) -> IncidentEvent? {
        guard state.canTransition(to: .notificada) else { return nil }
        return IncidentEvent(.transicion(from: state, to: .notificada), actor: .sistema, at: at, note: note)
    }
}
