import BotonCore
public import BotonStore

/// Which alerts an operator sees and may act on.
///
/// - `operador_upc`: the alerts of their UPC, and those of the other UPCs of their circuito once escalated
///   (level 1 and up);
/// - `supervisor_distrito`: every alert of the distrito;
/// - `administrador`: every alert in the country.
public struct ConsoleScope: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case upc(String)
        case distrito(String)
        case nacional
        /// An account without the UPC or distrito its role needs: sees nothing.
        case ninguno
    }

    public let kind: Kind

    public init(_ identity: OperatorIdentity) {
        switch identity.role {
        case .administrador: kind = .nacional
        case .supervisorDistrito: kind = identity.districtCode.map { .distrito($0) } ?? .ninguno
        case .operadorUPC: kind = identity.upcCode.map { .upc($0) } ?? .ninguno
        }
    }

    public init(kind: Kind) { self.kind = kind }

    public func sees(_ incident: IncidentRecord, _ jurisdictions: Jurisdictions) -> Bool {
        switch kind {
        case .nacional:
            return true
        case .ninguno:
            return false
        case .distrito(let code):
            return jurisdictions.district(of: incident) == code
        case .upc(let code):
            if incident.upcCode == code { return true }
            return incident.escalationLevel >= 1 && jurisdictions.isNeighbour(code, of: incident)
        }
    }

    /// Whether the operator's own UPC answers for it (not merely sees it through escalation).
    public func owns(_ incident: IncidentRecord) -> Bool {
        if case .upc(let code) = kind { return incident.upcCode == code }
        return false
    }

    /// What the console's `propia` says: for an operator, whether their UPC answers for the alert; nothing for
    /// supervisors and administrators.
    func propia(_ incident: IncidentRecord) -> Bool? {
        if case .upc = kind { return owns(incident) }
        return nil
    }

    public var description: String {
        switch kind {
        case .upc(let code): return code
        case .distrito(let code): return "distrito:\(code)"
        case .nacional: return "nacional"
        case .ninguno: return "ninguno"
        }
    }
}
