/// A person's names or surnames as they write them: `María José`, `Ñañez Ortiz`, `O'Neill`, `Pérez-Reyes`.
///
/// Surrounding whitespace is removed and runs of inner whitespace become one space. Then only letters (any
/// script, with their combining accents), spaces, apostrophes (`'` `’`), hyphens and periods are allowed,
/// with at least one letter, and at most ``maximumLength`` characters.
public struct PersonName: Sendable, Hashable, CustomStringConvertible {
    public static let maximumLength = 100

    /// The normalized text.
    public let text: String

    /// `field` says which input this is, for the error's field and message.
    public init(_ input: String, field: PersonNameError.Field) throws(PersonNameError) {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        var letters = 0
        var count = 0
        for scalar in input.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            let p = scalar.properties
            let isMark = p.generalCategory == .nonspacingMark || p.generalCategory == .spacingMark
            let allowed = p.isAlphabetic || isMark || "'’-.".unicodeScalars.contains(scalar)
            guard allowed else { throw PersonNameError(.characters, field: field) }
            if p.isAlphabetic { letters += 1 }
            if pendingSpace {
                out.append(" ")
                count += 1
                pendingSpace = false
            }
            out.append(scalar)
            count += 1
        }
        guard count > 0 else { throw PersonNameError(.empty, field: field) }
        guard letters > 0 else { throw PersonNameError(.characters, field: field) }
        guard count <= PersonName.maximumLength else { throw PersonNameError(.length, field: field) }
        text = String(out)
    }

    public var description: String { text }
}

/// Why a name was rejected. `field` is `nombres`, `apellidos` or `contacto`.
public struct PersonNameError: ValidationError, Equatable {
    public enum Field: String, Sendable {
        /// The citizen's given names.
        case nombres
        /// The citizen's surnames.
        case apellidos
        /// The name of a reference contact.
        case contacto
    }
    public enum Reason: String, Sendable, CaseIterable {
        case empty, characters, length
    }
    public let kind: Reason
    public let which: Field
    public init(_ kind: Reason, field: Field) {
        self.kind = kind
        self.which = field
    }
    public var field: String { which.rawValue }
    public var reason: String { kind.rawValue }
    public var mensaje: String {
        switch (kind, which) {
        case (.empty, .nombres): return "Ingrese sus nombres."
        case (.empty, .apellidos): return "Ingrese sus apellidos."
        case (.empty, .contacto): return "Ingrese el nombre del contacto."
        case (.characters, .nombres): return "Los nombres solo pueden tener letras, espacios, apóstrofos, guiones y puntos."
        case (.characters, .apellidos): return "Los apellidos solo pueden tener letras, espacios, apóstrofos, guiones y puntos."
        case (.characters, .contacto):
            return "El nombre del contacto solo puede tener letras, espacios, apóstrofos, guiones y puntos."
        case (.length, .nombres): return "Los nombres no pueden tener más de \(PersonName.maximumLength) caracteres."
        case (.length, .apellidos): return "Los apellidos no pueden tener más de \(PersonName.maximumLength) caracteres."
        case (.length, .contacto):
            return "El nombre del contacto no puede tener más de \(PersonName.maximumLength) caracteres."
        }
    }
}
