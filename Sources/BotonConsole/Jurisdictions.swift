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
    /// Each subcircuito's bounding box (min lon, min lat, max lon, max lat), in territory order, for the map's
    /// neighbours.
    private let boxes: [(code: String, box: (Double, Double, Double, Double))]
    private let upcSites: [String: UPCSite]

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
        boxes = territory.subcircuits.compactMap { area in
            area.geometry.boundingBox.map { (area.code.rawValue, ($0.minLongitude, $0.minLatitude, $0.maxLongitude,
                                                                  $0.maxLatitude)) }
        }
        var sites: [String: UPCSite] = [:]
        for upc in territory.upcs { sites[upc.code.rawValue] = upc }
        upcSites = sites
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

    /// The subcircuitos around `subcircuit` on the map: those whose bounding boxes touch its own (grown by about
    /// 100 m), nearest first, at most `limit`. Bounding boxes, not shared edges: cheap, and a neighbour across a
    /// river or a gap in the data still shows.
    public func neighbourAreas(of subcircuit: String, limit: Int = 16) -> [SubcircuitArea] {
        guard let own = boxes.first(where: { $0.code == subcircuit })?.box else { return [] }
        let margin = 0.001
        let centre = ((own.0 + own.2) / 2, (own.1 + own.3) / 2)
        return boxes.filter { entry in
            let b = entry.box
            return entry.code != subcircuit && b.0 <= own.2 + margin && b.2 >= own.0 - margin
                && b.1 <= own.3 + margin && b.3 >= own.1 - margin
        }.sorted { a, b in
            func distance(_ x: (Double, Double, Double, Double)) -> Double {
                let dx = (x.0 + x.2) / 2 - centre.0, dy = (x.1 + x.3) / 2 - centre.1
                return dx * dx + dy * dy
            }
            return distance(a.box) < distance(b.box)
        }.prefix(limit).compactMap { areas[$0.code] }
    }

    /// A UPC of the territory, with its position and landline.
    public func upcSite(_ code: String) -> UPCSite? { upcSites[code] }
    public func upcName(_ code: String) -> String? { upcNames[code] }
}
