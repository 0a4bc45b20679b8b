/// A country of ISO 3166-1, with its Spanish name for forms and messages.
public struct Country: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Two-letter code, `PE`. The canonical form, used in keys and storage.
    public let alpha2: String
    /// Three-letter code, `PER` (what passports print in their machine-readable zone).
    public let alpha3: String
    /// Spanish name, `Perú`.
    public let nombre: String

    init(_ alpha2: String, _ alpha3: String, _ nombre: String) {
        self.alpha2 = alpha2
        self.alpha3 = alpha3
        self.nombre = nombre
    }

    /// Looks a country up by alpha-2 or alpha-3 code, ignoring case and surrounding whitespace.
    /// Returns nil for anything else (names are not accepted).
    public init?(code: String) {
        let key = code.trimmingWhitespace().uppercased()
        let found: Country?
        switch key.utf8.count {
        case 2: found = Country.byAlpha2[key]
        case 3: found = Country.byAlpha3[key]
        default: found = nil
        }
        guard let found else { return nil }
        self = found
    }

    /// Ecuador, whose citizens identify themselves with the cédula, never a pasaporte.
    public static var ecuador: Country { byAlpha2["EC"]! }

    static let byAlpha2: [String: Country] = Dictionary(uniqueKeysWithValues: all.map { ($0.alpha2, $0) })
    static let byAlpha3: [String: Country] = Dictionary(uniqueKeysWithValues: all.map { ($0.alpha3, $0) })

    public static func < (lhs: Country, rhs: Country) -> Bool { lhs.alpha2 < rhs.alpha2 }
    public var description: String { alpha2 }
}

extension String {
    /// The string without leading and trailing Unicode whitespace (no Foundation needed).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
