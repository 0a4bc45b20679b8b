/// An enrolment request (`solicitud`) and its append-only history.
///
/// A value: mutate a copy, then persist `history`. Every rule is checked here; roles beyond "an in-person
/// enrolment is made by an officer" (who may lift a suspension, …) are the service's business.
///
/// - Online (``online(by:at:usagePolicyExplained:)``): starts at `ingresada`.
/// - In person (``inPerson(by:at:usagePolicyExplained:note:)``): starts at `verificada`, made by an officer
///   (`Author.operador`) who has explained the usage policy.
public struct Enrollment: Sendable, Hashable {
    /// How the request came in.
    public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
        case enLinea = "en_linea"
        case presencial
    }

    public let channel: Channel
    /// Whether the usage policy of the button was explained to (and accepted by) the citizen at creation.
    public let usagePolicyExplained: Bool
    public private(set) var state: EnrollmentState
    /// Every step, oldest first; the first has `from == nil`.
    public private(set) var history: [EnrollmentTransition]

    private init(channel: Channel, usagePolicyExplained: Bool, first: EnrollmentTransition) {
        self.channel = channel
        self.usagePolicyExplained = usagePolicyExplained
        self.state = first.to
        self.history = [first]
    }

    /// A request submitted online, in state `ingresada`.
    public static func online(by actor: Author, at: Timestamp, usagePolicyExplained: Bool = false) -> Enrollment {
        Enrollment(channel: .enLinea, usagePolicyExplained: usagePolicyExplained,
                   first: EnrollmentTransition(from: nil, to: .ingresada, actor: actor, at: at))
    }

    /// A request taken in person at the UPC, in state `verificada`.
    public static func inPerson(by officer: Author, at: Timestamp, usagePolicyExplained: Bool,
                                note: String? = nil) throws(TransitionError) -> Enrollment {
        guard case .operador = officer else {
            throw TransitionError(.solicitud, .actorNotAllowed, to: EnrollmentState.verificada.rawValue)
        }
        guard usagePolicyExplained else {
            throw TransitionError(.solicitud, .policyNotExplained, to: EnrollmentState.verificada.rawValue)
        }
        return Enrollment(channel: .presencial, usagePolicyExplained: true,
                          first: EnrollmentTransition(from: nil, to: .verificada, actor: officer, at: at, note: note))
    }

    /// Rebuilds a request from a stored history, checking every step with the same rules.
    public init(replaying stored: [EnrollmentTransition], usagePolicyExplained: Bool) throws(TransitionError) {
        guard let first = stored.first, first.from == nil else {
            throw TransitionError(.solicitud, .invalidHistory)
        }
        switch first.to {
        case .ingresada:
            self = Enrollment.online(by: first.actor, at: first.at, usagePolicyExplained: usagePolicyExplained)
        case .verificada:
            self = try Enrollment.inPerson(by: first.actor, at: first.at,
                                           usagePolicyExplained: usagePolicyExplained, note: first.note)
        default:
            throw TransitionError(.solicitud, .invalidHistory, to: first.to.rawValue)
        }
        for step in stored.dropFirst() {
            guard step.from == state else {
                throw TransitionError(.solicitud, .invalidHistory, from: state.rawValue, to: step.to.rawValue)
            }
            try transition(to: step.to, by: step.actor, at: step.at, note: step.note)
        }
    }

    /// When the request was created.
    public var createdAt: Timestamp { history[0].at }
    /// When the last step happened.
    public var updatedAt: Timestamp { history[history.count - 1].at }

    /// While `baja_solicitada`: the state the request was in when the baja was asked for, to which a rejected
    /// request returns. Nil in every other state.
    public var stateBeforeBajaRequest: EnrollmentState? {
        guard state == .bajaSolicitada else { return nil }
        return history.last(where: { $0.to == .bajaSolicitada })?.from
    }

    /// Moves the request to `next`, recording who did it, when, and an optional note.
    ///
    /// Throws `terminal_state` from `rechazada`/`dada_de_baja`, `illegal_transition` for any step not in
    /// ``EnrollmentState/allowedNext`` (and, from `baja_solicitada`, for any state but `dada_de_baja` and
    /// ``stateBeforeBajaRequest``), `missing_reason` for `rechazada` or a rejected baja request without a
    /// non-blank note, and `out_of_order` when `at` is earlier than the last step.
    public mutating func transition(to next: EnrollmentState, by actor: Author, at: Timestamp,
                                    note: String? = nil) throws(TransitionError) {
        guard !state.isTerminal else {
            throw TransitionError(.solicitud, .terminalState, from: state.rawValue, to: next.rawValue)
        }
        guard state.canTransition(to: next) else {
            throw TransitionError(.solicitud, .illegalTransition, from: state.rawValue, to: next.rawValue)
        }
        let rejectsBaja = state == .bajaSolicitada && next != .dadaDeBaja
        if rejectsBaja, next != stateBeforeBajaRequest {
            throw TransitionError(.solicitud, .illegalTransition, from: state.rawValue, to: next.rawValue)
        }
        if next == .rechazada || rejectsBaja, (note?.trimmingWhitespace() ?? "").isEmpty {
            throw TransitionError(.solicitud, .missingReason, from: state.rawValue, to: next.rawValue)
        }
        guard at >= updatedAt else {
            throw TransitionError(.solicitud, .outOfOrder, from: state.rawValue, to: next.rawValue)
        }
        history.append(EnrollmentTransition(from: state, to: next, actor: actor, at: at, note: note))
        state = next
    }
}
