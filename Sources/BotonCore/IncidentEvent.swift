/// One recorded step of an alert: a transition or another event, with who did it and when.
public struct IncidentEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// The alert was received (always the first event).
        case recibida(isTest: Bool)
        /// A state change other than closing.
        case transicion(from: IncidentState, to: IncidentState)
        /// Closed with an outcome.
        case cierre(from: IncidentState, outcome: IncidentOutcome)
        /// The SLA passed without the alert being taken; `level` counts up from 1.
        case escalada(level: Int)
        /// A new position for the citizen.
        case posicion(GeoPosition)
        /// The citizen cancelled from the device; the state does not change, an operator still closes it.
        case cancelacionCiudadano
        /// A free-text note.
        case nota(String)

        /// Stable name for storage: `recibida`, `transicion`, `cierre`, `escalada`, `posicion`,
        /// `cancelacion_ciudadano`, `nota`.
        public var name: String {
            switch self {
            case .recibida: return "recibida"
            case .transicion: return "transicion"
            case .cierre: return "cierre"
            case .escalada: return "escalada"
            case .posicion: return "posicion"
            case .cancelacionCiudadano: return "cancelacion_ciudadano"
            case .nota: return "nota"
            }
        }
    }

    public let kind: Kind
    public let actor: Author
    public let at: Timestamp
    /// Optional free text attached to a transition, closing or cancellation.
    public let note: String?

    public init(_ kind: Kind, actor: Author, at: Timestamp, note: String? = nil) {
        self.kind = kind
        self.actor = actor
        self.at = at
        self.note = note
    }
}
