/// The state of a complaint (`queja`). Raw values are the stored Spanish names.
///
/// ```
/// recibida ──▶ en_gestion ──▶ resuelta
/// ```
///
/// Each step is recorded (`queja_transition`) with its author, time and note; a resolution needs a note that says
/// how it was resolved.
public enum QuejaState: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Recorded, nobody has taken it up yet.
    case recibida
    /// An officer is handling it.
    case enGestion = "en_gestion"
    /// Answered; terminal.
    case resuelta

    public var isTerminal: Bool { self == .resuelta }

    /// The state this one may move to (one step at a time: a complaint is taken up before it is resolved).
    public var next: QuejaState? {
        switch self {
        case .recibida: return .enGestion
        case .enGestion: return .resuelta
        case .resuelta: return nil
        }
    }

    public func canTransition(to target: QuejaState) -> Bool { next == target }

    /// Spanish name for screens.
    public var nombre: String {
        switch self {
        case .recibida: return "Recibida"
        case .enGestion: return "En gestión"
        case .resuelta: return "Resuelta"
        }
    }

    public var description: String { rawValue }
}

/// How a complaint reached the police: the public form, a phone call, or in person at a UPC.
public enum QuejaChannel: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case web
    case telefono
    case presencial

    public var nombre: String {
        switch self {
        case .web: return "Formulario web"
        case .telefono: return "Teléfono"
        case .presencial: return "Presencial"
        }
    }

    public var description: String { rawValue }
}
