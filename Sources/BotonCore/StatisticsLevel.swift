/// How far down the territory a figure is broken: the whole country, or one unit of a level (the UPC being the
/// unit that answers).
public enum StatisticsLevel: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case nacional, zona, subzona, distrito, circuito, subcircuito, upc

    /// The levels a figure is broken down by (every one but `nacional`).
    public static let breakdowns: [StatisticsLevel] = [.zona, .subzona, .distrito, .circuito, .subcircuito, .upc]

    /// Circuitos, subcircuitos and UPCs cover few people: small figures there can point at a person, so public
    /// exports suppress them (see ``StatisticsPrivacy``).
    public var isBelowDistrito: Bool { self == .circuito || self == .subcircuito || self == .upc }

    /// Spanish name for headers.
    public var nombre: String {
        switch self {
        case .nacional: return "Nacional"
        case .zona: return "Zona"
        case .subzona: return "Subzona"
        case .distrito: return "Distrito"
        case .circuito: return "Circuito"
        case .subcircuito: return "Subcircuito"
        case .upc: return "UPC"
        }
    }

    public var description: String { rawValue }
}

/// A unit of a level: `(.distrito, "17D04")`; the country is `(.nacional, "")`. Figures that cannot be placed at a
/// level (an alert answered by the central without a subcircuito, a complaint without a reference) go to the code
/// ``unassigned``.
public struct StatisticsScope: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let level: StatisticsLevel
    public let code: String

    public static let unassigned = "-"
    public static let national = StatisticsScope(level: .nacional, code: "")

    public init(level: StatisticsLevel, code: String) {
        self.level = level
        self.code = code
    }

    public static func < (a: StatisticsScope, b: StatisticsScope) -> Bool {
        let order = StatisticsLevel.allCases
        let (ia, ib) = (order.firstIndex(of: a.level)!, order.firstIndex(of: b.level)!)
        return ia != ib ? ia < ib : a.code < b.code
    }

    public var description: String { level == .nacional ? "nacional" : "\(level.rawValue):\(code)" }
}

/// The disclosure rule of public figures: below the distrito (circuito, subcircuito, UPC) a count from 1 up to
/// `threshold − 1` is suppressed, because so few complaints or alerts in a small area can identify the people
/// behind them. Zero is shown (it discloses nothing about anyone); national, zona, subzona and distrito figures are
/// always shown. Internal exports are not suppressed.
public enum StatisticsPrivacy {
    /// The value to publish, or nil when it must be suppressed.
    public static func publicValue(_ value: Int, level: StatisticsLevel, threshold: Int) -> Int? {
        guard level.isBelowDistrito, value > 0, value < threshold else { return value }
        return nil
    }
}
