/// Where an officer's authority reaches: the one policy behind the enrollment requests, the quejas and the alerts
/// an operator may see and act on.
///
/// - `operador_upc` (``upc(_:)``): matters placed at their UPC;
/// - `supervisor_distrito` (``distrito(_:)``): matters placed anywhere in their distrito;
/// - `administrador` (``nacional``): everything, including matters with no place;
/// - an account without the UPC or distrito its role needs (``ninguno``): nothing.
///
/// A matter's place is the UPCs it belongs to (an enrollment request: the UPC of the address and the UPC where it
/// was taken in person) and, when known, its subcircuito. Its distrito is read from the subcircuito's code, else
/// from the UPCs' (`UPC-17D04C01S01` → `17D04`). The console widens an operator's view with the alerts escalated
/// from the neighbouring UPCs of their circuito (BotonConsole's `ConsoleScope`), on top of this rule.
public enum OfficerScope: Sendable, Hashable, CustomStringConvertible {
    case upc(String)
    case distrito(String)
    case nacional
    case ninguno

    public init(_ identity: OperatorIdentity) {
        switch identity.role {
        case .administrador: self = .nacional
        case .supervisorDistrito: self = identity.districtCode.map { .distrito($0) } ?? .ninguno
        case .operadorUPC: self = identity.upcCode.map { .upc($0) } ?? .ninguno
        }
    }

    /// Whether a matter placed at `upcs` (and in `subcircuit`, when known) falls inside.
    public func covers(upcs: [String], subcircuit: String? = nil) -> Bool {
        switch self {
        case .nacional:
            return true
        case .ninguno:
            return false
        case .upc(let code):
            return upcs.contains(code)
        case .distrito(let code):
            if let subcircuit, Self.district(ofSubcircuit: subcircuit) == code { return true }
            return upcs.contains { Self.district(ofUPC: $0) == code }
        }
    }

    /// The same rule for one matter placed at `upc` whose distrito the caller already knows (the console reads it
    /// from its territory index): no allocation, no parsing, for the live feed's every event and console.
    @inlinable
    public func covers(upc: String, district: @autoclosure () -> String?) -> Bool {
        switch self {
        case .nacional: return true
        case .ninguno: return false
        case .upc(let code): return upc == code
        case .distrito(let code): return district() == code
        }
    }

    /// The distrito of a UPC code (`UPC-17D04C01S01` → `17D04`); nil for a code that names no subcircuito (the
    /// central).
    public static func district(ofUPC code: String) -> String? {
        guard let parsed = try? UPCCode(code) else { return nil }
        return district(ofSubcircuit: String(parsed.rawValue.dropFirst(4)))
    }

    /// The distrito of a subcircuito code (`17D04C01S01` → `17D04`).
    public static func district(ofSubcircuit code: String) -> String? {
        (try? SubcircuitCode(code))?.district.rawValue
    }

    public var description: String {
        switch self {
        case .upc(let code): return code
        case .distrito(let code): return "distrito:\(code)"
        case .nacional: return "nacional"
        case .ninguno: return "ninguno"
        }
    }
}
