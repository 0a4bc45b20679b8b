/// Who did something: every transition and event records its author (the store's `actor` column).
///
/// Stable text form for storage (``storageForm``): `operador:42`, `ciudadano`, `sistema`,
/// `dispositivo:<id>`, `gateway:<id>`; ``init(storageForm:)`` reads it back. (Named `Author` rather than
/// `Actor` so that it never shadows Swift's `Actor` protocol in modules that import BotonCore.)
public enum Author: Sendable, Hashable, CustomStringConvertible {
    /// A police operator or officer (DB id), with a display name for screens. Only the id is identity:
    /// two values with the same id are equal, and the storage form keeps only the id.
    case operador(OperatorRef)
    /// The citizen who owns the button / enrolment.
    case ciudadano
    /// The service itself (SLA timers, automatic notifications).
    case sistema
    /// A registered device (app install, physical button), by its id.
    case dispositivo(String)
    /// A carrier gateway reporting calls to the short code 135, by its id.
    case gateway(String)

    /// Convenience for `.operador(OperatorRef(id:display:))`.
    public static func operador(id: Int, display: String? = nil) -> Author {
        .operador(OperatorRef(id: id, display: display))
    }

    /// `operador:42`, `ciudadano`, `sistema`, `dispositivo:<id>`, `gateway:<id>`.
    public var storageForm: String {
        switch self {
        case .operador(let o): return "operador:\(o.id)"
        case .ciudadano: return "ciudadano"
        case .sistema: return "sistema"
        case .dispositivo(let id): return "dispositivo:\(id)"
        case .gateway(let id): return "gateway:\(id)"
        }
    }

    /// Parses ``storageForm``. Operator ids are positive decimal integers; device and gateway ids are any
    /// non-empty text without control characters (they may contain `:`). Nil for anything else.
    public init?(storageForm text: String) {
        switch text {
        case "ciudadano": self = .ciudadano; return
        case "sistema": self = .sistema; return
        default: break
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let tag = text[..<colon]
        let value = String(text[text.index(after: colon)...])
        switch tag {
        case "operador":
            guard !value.isEmpty, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  value.first != "0", let id = Int(value) else { return nil }
            self = .operador(OperatorRef(id: id))
        case "dispositivo":
            guard Author.isValidIdentifier(value) else { return nil }
            self = .dispositivo(value)
        case "gateway":
            guard Author.isValidIdentifier(value) else { return nil }
            self = .gateway(value)
        default:
            return nil
        }
    }

    static func isValidIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }

    /// Spanish text for an operator's screen: `Sgto. Pérez`, `el ciudadano`, `el sistema`, ….
    public var nombre: String {
        switch self {
        case .operador(let o): return o.display ?? "operador \(o.id)"
        case .ciudadano: return "el ciudadano"
        case .sistema: return "el sistema"
        case .dispositivo(let id): return "dispositivo \(id)"
        case .gateway(let id): return "pasarela \(id)"
        }
    }

    public var description: String { storageForm }
}

/// A reference to an operator: the id is the identity, the display name is for screens only.
public struct OperatorRef: Sendable, Hashable, CustomStringConvertible {
    public let id: Int
    public let display: String?

    public init(id: Int, display: String? = nil) {
        self.id = id
        self.display = display
    }

    public static func == (lhs: OperatorRef, rhs: OperatorRef) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
    public var description: String { "operador:\(id)" }
}
