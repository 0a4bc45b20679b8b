/// Why a phone number was rejected. `field` is always `telefono`.
///
/// The rejected input is not kept (personal data ends up in logs).
public struct PhoneLineError: ValidationError, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        /// No digits at all.
        case empty
        /// A character other than digits, spaces, `-`, `.`, `(`, `)`, or a `+` that is not at the start.
        case characters
        /// An international prefix (`+` or `00`) with a country code other than 593.
        case country
        /// Too few or too many digits for the kind of number its first digit announces (a landline has 8
        /// national digits, a mobile 9), or more than libphonenumber ever parses.
        case length
        /// The right length, but a number range that is not assigned to landlines or mobiles in Ecuador.
        case prefix
        /// A valid Ecuadorian number that is not a subscriber line: toll free (1800…), VoIP (x890…), or the
        /// 1xx range of special services.
        case service
    }

    public let kind: Reason
    /// For `length`: the number looks like a 7-digit landline number without its provincial area code.
    public let missingAreaCode: Bool

    public init(_ kind: Reason, missingAreaCode: Bool = false) {
        self.kind = kind
        self.missingAreaCode = missingAreaCode
    }

    public var field: String { "telefono" }
    public var reason: String { kind.rawValue }

    public var mensaje: String {
        switch kind {
        case .empty:
            return "Ingrese un número de teléfono."
        case .characters:
            return "El número de teléfono solo puede tener dígitos, espacios, guiones, puntos, paréntesis y el signo + al inicio."
        case .country:
            return "Solo se aceptan números de teléfono del Ecuador (código de país +593)."
        case .length:
            if missingAreaCode {
                return "Incluya el código de provincia del teléfono fijo, por ejemplo (02) 234 5678."
            }
            return "El número de teléfono no tiene la cantidad correcta de dígitos: un celular tiene 10 (099 123 4567) "
                + "y un fijo 9 con el código de provincia ((02) 234 5678)."
        case .prefix:
            return "El número de teléfono no corresponde a una línea fija ni celular del Ecuador. Revise que esté bien escrito."
        case .service:
            return "Ese número es de un servicio especial (1800, VoIP o similar); ingrese un número de teléfono fijo o celular."
        }
    }
}
