public import BotonCore
public import BotonRepository

/// Which alerts an operator sees and may act on.
///
/// - `operador_upc`: the alerts of their UPC, and those of the other UPCs of their circuito once escalated
///   (level 1 and up);
/// - `supervisor_distrito`: every alert of the distrito;
/// - `administrador`: every alert in the country.
///
/// The base rule is BotonCore's ``OfficerScope`` (the same for requests and quejas); the console adds the
/// escalation: an operator also sees the alerts of the neighbouring UPCs of their circuito once escalated.
///
/// *Simulacros* (the load generator's alerts, ``IncidentRecord/simulated``) are in the scope like any alert (an
/// operator may open, take and close one), but a console lists and streams them only when it asked for them
/// (``simulacros``, the page's `?simulacion=1`): the load test of a live service must not fill its consoles.
public struct ConsoleScope: Sendable, Hashable, CustomStringConvertible {
    public typealias Kind = OfficerScope

    public let kind: Kind
    /// The console lists and streams simulated alerts too.
    public let simulacros: Bool

    public init(_ identity: OperatorIdentity, simulacros: Bool = false) {
        kind = OfficerScope(identity)
        self.simulacros = simulacros
    }

    public init(kind: Kind, simulacros: Bool = false) {
        self.kind = kind
        self.simulacros = simulacros
    }

    /// Whether a console of this scope lists and streams the alert: ``sees(_:_:)``, and a simulacro only when asked.
    public func shows(_ incident: IncidentRecord, _ jurisdictions: Jurisdictions) -> Bool {
        (simulacros || !incident.simulated) && sees(incident, jurisdictions)
    }

    public func sees(_ incident: IncidentRecord, _ jurisdictions: Jurisdictions) -> Bool {
        if kind.covers(upc: incident.upcCode, district: jurisdictions.district(of: incident)) { return true }
        if case .upc(let code) = kind {
            return incident.escalationLevel >= 1 && jurisdictions.isNeighbour(code, of: incident)
        }
        return false
    }

    /// Whether the operator's own UPC answers for it (not merely sees it through escalation).
    public func owns(_ incident: IncidentRecord) -> Bool {
        if case .upc(let code) = kind { return incident.upcCode == code }
        return false
    }

    /// What the console's `propia` says: for an operator, whether their UPC answers for the alert; nothing for
    /// supervisors and administrators.
    package func propia(_ incident: IncidentRecord) -> Bool? {
        if case .upc = kind { return owns(incident) }
        return nil
    }

    /// Where a replay for this scope reads, one ``FeedSlice`` per query (each an index range): every UPC for
    /// `nacional`; the distrito's UPCs; an operator's own UPC and, escalated only, its circuito's other UPCs;
    /// nothing for `ninguno`. The slices are disjoint. Each row read is still checked with ``sees(_:_:)``, so a
    /// replay never sends more than the live feed would.
    public func slices(_ jurisdictions: Jurisdictions) -> [FeedSlice] {
        switch kind {
        case .nacional: return [.everywhere]
        case .ninguno: return []
        case .distrito(let code): return jurisdictions.upcs(inDistrict: code).map { FeedSlice(upc: $0) }
        case .upc(let code):
            return [FeedSlice(upc: code)]
                + jurisdictions.neighbours(ofUPC: code).map { FeedSlice(upc: $0, escalatedOnly: true) }
        }
    }

    public var description: String { kind.description + (simulacros ? "+simulacros" : "") }
}
