/// Why a cédula was rejected. `field` is always `cedula`.
///
/// The rejected input is deliberately not kept: a cédula is personal data and errors end up in logs.
public struct CedulaError: ValidationError, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        /// After removing spaces and dashes it is not exactly 10 digits long.
        case length
        /// It has something other than digits, spaces and dashes.
        case characters
        /// The first two digits are not a province code: 01–24, 30 (registered abroad) or 50.
        case province
        /// The third digit is above 6.
        case thirdDigit = "third_digit"
        /// The last digit does not match the módulo-10 check of the first nine.
        case checkDigit = "check_digit"
    }

    public let kind: Reason
    public var field: String { "cedula" }
    public var reason: String { kind.rawValue }

    public init(_ kind: Reason) { self.kind = kind }

    public var mensaje: String {
        switch kind {
        case .length:
            return "La cédula debe tener 10 dígitos."
        case .characters:
            return "La cédula solo puede tener números (se aceptan espacios y guiones)."
        case .province:
            return "Los dos primeros dígitos de la cédula no corresponden a ninguna provincia del Ecuador."
        case .thirdDigit:
            return "El tercer dígito de la cédula no es válido: debe estar entre 0 y 6."
        case .checkDigit:
            return "El número de cédula no es válido: el dígito verificador no coincide. Revise que esté bien escrito."
        }
    }
}
