/// The document a citizen enrols with: an Ecuadorian cédula, or a passport for foreigners.
public enum IdentityDocument: Sendable, Hashable, CustomStringConvertible {
    case cedula(Cedula)
    case pasaporte(Pasaporte)

    /// The kind of document, as stored.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case cedula
        case pasaporte
    }

    public var kind: Kind {
        switch self {
        case .cedula: return .cedula
        case .pasaporte: return .pasaporte
        }
    }

    /// A stable, unique text for the document: `cedula:1710034065`, `pasaporte:PE:AB12345`.
    /// Two enrolments with the same key are the same person's document.
    public var key: String {
        switch self {
        case .cedula(let c): return "cedula:\(c.number)"
        case .pasaporte(let p): return "pasaporte:\(p.nationality.alpha2):\(p.number)"
        }
    }

    /// Parses a `key` back; nil if it is not one this type produces.
    public init?(key: String) {
        let parts = key.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("cedula", 2):
            guard let c = try? Cedula(parts[1]), c.number == parts[1] else { return nil }
            self = .cedula(c)
        case ("pasaporte", 3):
            guard let p = try? Pasaporte(number: parts[2], nationality: parts[1]),
                  p.number == parts[2], p.nationality.alpha2 == parts[1] else { return nil }
            self = .pasaporte(p)
        default:
            return nil
        }
    }

    public var description: String { key }

    /// How a person reads a stored document: `Cédula 1710034065`, `Pasaporte C0123456 (Venezuela)` (the country's
    /// Spanish name; its code when the table does not know it).
    public static func text(kind: String, number: String, nationality: String) -> String {
        switch Kind(rawValue: kind) {
        case .cedula?: return "Cédula \(number)"
        case .pasaporte?: return "Pasaporte \(number) (\(Country(code: nationality)?.nombre ?? nationality))"
        case nil: return "\(kind) \(number)"
        }
    }
}
