/// The state of an enrolment request (`solicitud`). Raw values are the stored Spanish names.
///
/// ```
/// en línea                     presencial (oficial)
///    │                              │
///    ▼                              ▼
/// ingresada ──▶ en_verificacion ──▶ verificada ──▶ registrada ──▶ prueba_pendiente ──▶ activa ◀──▶ suspendida
///    │                │
///    └───────┬────────┘
///            ▼
///        rechazada
///
/// any state except rechazada and dada_de_baja ──▶ dada_de_baja
/// ```
public enum EnrollmentState: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Submitted online, not yet looked at.
    case ingresada
    /// Assigned to the community officer of the citizen's UPC, who checks identity and address.
    case enVerificacion = "en_verificacion"
    /// Identity and address confirmed (in-person enrolments start here).
    case verificada
    /// Turned down; terminal. Always carries a reason.
    case rechazada
    /// Credential issued to the citizen's device.
    case registrada
    /// Waiting for the test alert to be confirmed by the UPC.
    case pruebaPendiente = "prueba_pendiente"
    /// The button works: alerts are dispatched.
    case activa
    /// Temporarily disabled (for example after repeated false alarms).
    case suspendida
    /// Withdrawn at the citizen's request; terminal.
    case dadaDeBaja = "dada_de_baja"

    /// No transition leaves a terminal state.
    public var isTerminal: Bool { self == .rechazada || self == .dadaDeBaja }

    /// The states this one may move to.
    public var allowedNext: Set<EnrollmentState> {
        switch self {
        case .ingresada: return [.enVerificacion, .rechazada, .dadaDeBaja]
        case .enVerificacion: return [.verificada, .rechazada, .dadaDeBaja]
        case .verificada: return [.registrada, .dadaDeBaja]
        case .registrada: return [.pruebaPendiente, .dadaDeBaja]
        case .pruebaPendiente: return [.activa, .dadaDeBaja]
        case .activa: return [.suspendida, .dadaDeBaja]
        case .suspendida: return [.activa, .dadaDeBaja]
        case .rechazada, .dadaDeBaja: return []
        }
    }

    public func canTransition(to next: EnrollmentState) -> Bool { allowedNext.contains(next) }

    /// Spanish name for screens and messages: `En verificación`.
    public var nombre: String {
        switch self {
        case .ingresada: return "Ingresada"
        case .enVerificacion: return "En verificación"
        case .verificada: return "Verificada"
        case .rechazada: return "Rechazada"
        case .registrada: return "Registrada"
        case .pruebaPendiente: return "Prueba pendiente"
        case .activa: return "Activa"
        case .suspendida: return "Suspendida"
        case .dadaDeBaja: return "Dada de baja"
        }
    }

    public var description: String { rawValue }
}
