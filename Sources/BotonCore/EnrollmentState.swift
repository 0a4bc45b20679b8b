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
/// ingresada, en_verificacion, verificada ──▶ dada_de_baja           (no button yet: withdrawn at once)
///
/// registrada, prueba_pendiente, activa, suspendida ──▶ baja_solicitada ──▶ dada_de_baja
///                        ▲                                   │
///                        └───────── rejected: back ──────────┘
/// ```
///
/// A request that holds a button is never given de baja in one step: the citizen's (or anyone's) online baja
/// only asks for it (`baja_solicitada`, the button keeps working) and it is confirmed by the enrolled device's
/// signed `baja` frame or by the UPC officer after calling the registered line. An officer who rejects the
/// request moves it back to the state it left (``Enrollment/transition(to:by:at:note:)`` checks which, from the
/// history; a reason is required).
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
    /// A baja was asked for online and waits for its confirmation (the enrolled device's signed `baja` frame,
    /// or the UPC after calling the registered line). The button keeps working meanwhile.
    case bajaSolicitada = "baja_solicitada"
    /// Withdrawn at the citizen's request; terminal.
    case dadaDeBaja = "dada_de_baja"

    /// No transition leaves a terminal state.
    public var isTerminal: Bool { self == .rechazada || self == .dadaDeBaja }

    /// Whether a credential (a button) has been issued and not yet withdrawn: only such a request can be asked
    /// to be given de baja, and its baja needs a confirmation.
    public var holdsButton: Bool {
        switch self {
        case .registrada, .pruebaPendiente, .activa, .suspendida, .bajaSolicitada: return true
        case .ingresada, .enVerificacion, .verificada, .rechazada, .dadaDeBaja: return false
        }
    }

    /// The states this one may move to. From `baja_solicitada` the table allows every state holding a button,
    /// but ``Enrollment`` allows only the one the request left (see the diagram).
    public var allowedNext: Set<EnrollmentState> {
        switch self {
        case .ingresada: return [.enVerificacion, .rechazada, .dadaDeBaja]
        case .enVerificacion: return [.verificada, .rechazada, .dadaDeBaja]
        case .verificada: return [.registrada, .dadaDeBaja]
        case .registrada: return [.pruebaPendiente, .bajaSolicitada]
        case .pruebaPendiente: return [.activa, .bajaSolicitada]
        case .activa: return [.suspendida, .bajaSolicitada]
        case .suspendida: return [.activa, .bajaSolicitada]
        case .bajaSolicitada: return [.dadaDeBaja, .registrada, .pruebaPendiente, .activa, .suspendida]
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
        case .bajaSolicitada: return "Baja solicitada"
        case .dadaDeBaja: return "Dada de baja"
        }
    }

    public var description: String { rawValue }
}
