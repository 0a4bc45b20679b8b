import BotonCore
public import BotonGeo
public import BotonRepository

/// Who answers for an alert's place: its circuito, its distrito, and the UPCs of that circuito (the first ring of
/// escalation). Built once from the territory and then only read, so every thread shares it without locks.
public final class Jurisdictions: Sendable {
    /// Subcircuito code → (circuito, distrito).
    private let subcircuits: [String: (circuit: String, district: String)]
    /// UPC code → the circuito of the first subcircuito it serves (for alerts routed to the nearest UPC).
    private let upcCircuit: [String: String]
    /// Circuito code → the UPCs serving its subcircuitos, sorted.
    private let circuitUPCs: [String: [String]]
    private let areas: [String: SubcircuitArea]
    private let upcNames: [String: String]
    /// Distrito code → the UPCs whose alerts fall in it (serving one of its subcircuitos, or placed there), sorted.
    private let districtUPCs: [String: [String]]
    /// UPC code → the other UPCs of every circuito it serves, sorted.
    private let upcNeighbours: [String: [String]]

    public init(territory: Territory) {
        var subs: [String: (String, String)] = [:]
        var byCircuit: [String: Set<String>] = [:]
        var areas: [String: SubcircuitArea] = [:]
        for area in territory.subcircuits {
            subs[area.code.rawValue] = (area.circuit.rawValue, area.district.rawValue)
            byCircuit[area.circuit.rawValue, default: []].insert(area.upc.rawValue)
            areas[area.code.rawValue] = area
        }
        var upcCircuit: [String: String] = [:]
        var names: [String: String] = [:]
        var byDistrict: [String: Set<String>] = [:]
        var neighbours: [String: Set<String>] = [:]
        for area in territory.subcircuits {
            byDistrict[area.district.rawValue, default: []].insert(area.upc.rawValue)
            for other in byCircuit[area.circuit.rawValue] ?? [] where other != area.upc.rawValue {
                neighbours[area.upc.rawValue, default: []].insert(other)
            }
        }
        for upc in territory.upcs {
            names[upc.code.rawValue] = upc.name
            if let first = upc.subcircuits.first {
                upcCircuit[upc.code.rawValue] = first.circuit.rawValue
                byDistrict[String(first.circuit.rawValue.prefix(5)), default: []].insert(upc.code.rawValue)
            }
        }
        self.districtUPCs = byDistrict.mapValues { $0.sorted() }
        self.upcNeighbours = neighbours.mapValues { $0.sorted() }
        self.subcircuits = subs
        self.upcCircuit = upcCircuit
        self.circuitUPCs = byCircuit.mapValues { $0.sorted() }
        self.areas = areas
        self.upcNames = names
    }

    /// The alert's circuito: its subcircuito's, else its UPC's.
    public func circuit(of incident: IncidentRecord) -> String? {
        if let sub = incident.subcircuitCode, let known = subcircuits[sub] { return known.circuit }
        return upcCircuit[incident.upcCode]
    }

    /// The alert's distrito (the first five characters of its circuito: `09D03C01` → `09D03`).
    public func district(of incident: IncidentRecord) -> String? {
        if let sub = incident.subcircuitCode, let known = subcircuits[sub] { return known.district }
        return upcCircuit[incident.upcCode].map { String($0.prefix(5)) }
    }

    /// The UPCs of a circuito, sorted.
    public func upcs(inCircuit code: String) -> [String] { circuitUPCs[code] ?? [] }

    /// The other UPCs of the alert's circuito: who sees it from escalation level 1.
    public func neighbours(of incident: IncidentRecord) -> [String] {
        guard let circuit = circuit(of: incident) else { return [] }
        return upcs(inCircuit: circuit).filter { $0 != incident.upcCode }
    }

    /// Whether `upc` is another UPC of the alert's circuito (no allocation: asked per event and console).
    public func isNeighbour(_ upc: String, of incident: IncidentRecord) -> Bool {
        guard upc != incident.upcCode, let circuit = circuit(of: incident) else { return false }
        return circuitUPCs[circuit]?.contains(upc) ?? false
    }

    /// The UPCs whose alerts a distrito's supervisor sees: those serving its subcircuitos (the console's replay
    /// reads these UPCs' events).
    public func upcs(inDistrict code: String) -> [String] { districtUPCs[code] ?? [] }

    /// The other UPCs of every circuito `upc` serves: whose escalated alerts its operators see.
    public func neighbours(ofUPC upc: String) -> [String] { upcNeighbours[upc] ?? [] }

    public func area(_ subcircuit: String) -> SubcircuitArea? { areas[subcircuit] }
    public func upcName(_ code: String) -> String? { upcNames[code] }
}
