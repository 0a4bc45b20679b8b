/// Why a state machine refused a transition or an event. `field` is the machine: `solicitud` or `alerta`.
public struct TransitionError: ValidationError, Equatable {
    /// Which state machine refused.
    public enum Machine: String, Sendable {
        case solicitud
        case alerta
    }

    public enum Reason: String, Sendable, CaseIterable {
        /// The target state is not reachable from the current one.
        case illegalTransition = "illegal_transition"
        /// The current state is terminal: nothing more can happen.
        case terminalState = "terminal_state"
        /// A rejection (`rechazada`, or a baja request sent back) without a reason.
        case missingReason = "missing_reason"
        /// A closing outcome that does not fit the alert: `prueba` for a real alert, anything else for a test.
        case outcomeNotAllowed = "outcome_not_allowed"
        /// `cerrada` must be reached through `close(outcome:…)`, which records the outcome.
        case outcomeRequired = "outcome_required"
        /// Escalation only happens while the alert is `recibida` or `notificada`.
        case escalationNotAllowed = "escalation_not_allowed"
        /// Escalation levels start at 1 and must go up.
        case invalidLevel = "invalid_level"
        /// The time is earlier than the last recorded step.
        case outOfOrder = "out_of_order"
        /// This actor may not do this (an in-person enrolment must be made by an officer).
        case actorNotAllowed = "actor_not_allowed"
        /// An in-person enrolment requires that the usage policy was explained to the citizen.
        case policyNotExplained = "policy_not_explained"
        /// The citizen already cancelled this alert.
        case alreadyCancelled = "already_cancelled"
        /// A note without text.
        case emptyNote = "empty_note"
        /// A history to replay that does not start with a creation, or has a creation later on.
        case invalidHistory = "invalid_history"
    }

    public let machine: Machine
    public let kind: Reason
    /// Raw value of the state the machine was in.
    public let from: String?
    /// Raw value of the state that was asked for.
    public let to: String?

    public init(_ machine: Machine, _ kind: Reason, from: String? = nil, to: String? = nil) {
        self.machine = machine
        self.kind = kind
        self.from = from
        self.to = to
    }

    public var field: String { machine.rawValue }
    public var reason: String { kind.rawValue }

    private var sujeto: String { machine == .solicitud ? "la solicitud" : "la alerta" }

    private func nombre(_ raw: String?) -> String {
        guard let raw else { return "?" }
        switch machine {
        case .solicitud: return EnrollmentState(rawValue: raw)?.nombre ?? raw
        case .alerta: return IncidentState(rawValue: raw)?.nombre ?? raw
        }
    }

    public var mensaje: String {
        switch kind {
        case .illegalTransition:
            return "No se puede pasar \(sujeto) de «\(nombre(from))» a «\(nombre(to))»."
        case .terminalState:
            return "No se puede modificar \(sujeto): ya está en estado «\(nombre(from))»."
        case .missingReason:
            if from == EnrollmentState.bajaSolicitada.rawValue {
                return "Para rechazar el pedido de baja hay que indicar el motivo."
            }
            return "Para rechazar la solicitud hay que indicar el motivo."
        case .outcomeNotAllowed:
            return "Ese resultado no corresponde: una alerta de prueba se cierra como «Prueba», y una alerta real "
                + "no puede cerrarse como «Prueba»."
        case .outcomeRequired:
            return "Para cerrar la alerta hay que indicar el resultado."
        case .escalationNotAllowed:
            return "Solo se puede escalar una alerta que todavía no ha sido tomada (estado «\(nombre(from))»)."
        case .invalidLevel:
            return "El nivel de escalamiento debe ser mayor que el anterior."
        case .outOfOrder:
            return "La hora del registro es anterior a la del último registro de \(sujeto)."
        case .actorNotAllowed:
            return "Un registro presencial solo puede hacerlo un servidor policial."
        case .policyNotExplained:
            return "Antes de registrar al ciudadano hay que explicarle la política de uso del botón de seguridad."
        case .alreadyCancelled:
            return "El ciudadano ya canceló esta alerta."
        case .emptyNote:
            return "La nota no puede estar vacía."
        case .invalidHistory:
            return "El historial de \(sujeto) no es válido."
        }
    }
}
