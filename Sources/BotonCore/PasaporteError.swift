/// Why a pasaporte was rejected. `field` is `pasaporte` for the number and `nacionalidad` for the country.
public struct PasaporteError: ValidationError, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        /// The number is shorter than 5 or longer than 20 characters (after trimming).
        case length
        /// The number has something other than letters A–Z and digits.
        case characters
        /// The nationality is not an ISO 3166-1 code, or it is Ecuador.
        case nationality
    }

    public let kind: Reason
    /// Set when the nationality was Ecuador (the message then tells the person to use the cédula).
    public let isEcuadorian: Bool

    public init(_ kind: Reason, isEcuadorian: Bool = false) {
        self.kind = kind
        self.isEcuadorian = isEcuadorian
    }

    public var field: String { kind == .nationality ? "nacionalidad" : "pasaporte" }
    public var reason: String { kind.rawValue }

    public var mensaje: String {
        switch kind {
        case .length:
            return "El número de pasaporte debe tener entre \(Pasaporte.lengthRange.lowerBound) y "
                + "\(Pasaporte.lengthRange.upperBound) caracteres."
        case .characters:
            return "El número de pasaporte solo puede tener letras (A-Z) y números, sin espacios ni guiones."
        case .nationality:
            if isEcuadorian {
                return "Los ciudadanos ecuatorianos deben registrarse con su número de cédula, no con pasaporte."
            }
            return "Elija el país que emitió el pasaporte."
        }
    }
}
