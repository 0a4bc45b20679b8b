/// How an alert ended. Which outcomes count as an "atención" for statistics is configuration, not domain.
public enum IncidentOutcome: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Police attended the citizen.
    case atendida
    /// Pressed without an emergency.
    case falsaAlarma = "falsa_alarma"
    /// The citizen cancelled and the operator confirmed.
    case canceladaPorCiudadano = "cancelada_por_ciudadano"
    /// The unit could not find the citizen.
    case noLocalizada = "no_localizada"
    /// The test alert of an enrolment (only for test alerts, and the only outcome they may have).
    case prueba

    /// Spanish name for screens.
    public var nombre: String {
        switch self {
        case .atendida: return "Atendida"
        case .falsaAlarma: return "Falsa alarma"
        case .canceladaPorCiudadano: return "Cancelada por el ciudadano"
        case .noLocalizada: return "No localizada"
        case .prueba: return "Prueba"
        }
    }

    public var description: String { rawValue }
}
