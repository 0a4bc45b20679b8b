/// The state of an alert (`alerta`). Raw values are the stored Spanish names.
///
/// ```
/// recibida ──▶ notificada ──▶ tomada ──▶ despachada ──▶ cerrada(resultado)
///    │                          ▲  │                       ▲
///    └──────────────────────────┘  └───────────────────────┘
/// ```
///
/// `escalada` is not a state: it is an event recorded while the alert waits (recibida/notificada) past its
/// SLA.
public enum IncidentState: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The alert reached the service.
    case recibida
    /// Operators (and the UPC) were notified.
    case notificada
    /// An operator took it.
    case tomada
    /// A unit was dispatched.
    case despachada
    /// Closed with an outcome; terminal.
    case cerrada

    public var isTerminal: Bool { self == .cerrada }

    /// The states this one may move to.
    public var allowedNext: Set<IncidentState> {
        switch self {
        case .recibida: return [.notificada, .tomada]
        case .notificada: return [.tomada]
        case .tomada: return [.despachada, .cerrada]
        case .despachada: return [.cerrada]
        case .cerrada: return []
        }
    }

    public func canTransition(to next: IncidentState) -> Bool { allowedNext.contains(next) }

    /// Whether an escalation may be recorded: the alert has not been taken yet.
    public var canEscalate: Bool { self == .recibida || self == .notificada }

    /// Spanish name for screens and messages.
    public var nombre: String {
        switch self {
        case .recibida: return "Recibida"
        case .notificada: return "Notificada"
        case .tomada: return "Tomada"
        case .despachada: return "Despachada"
        case .cerrada: return "Cerrada"
        }
    }

    public var description: String { rawValue }
}
