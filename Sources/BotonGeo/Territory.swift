public import BotonCore

/// A subcircuito with its parents' codes and names, its UPC and its area.
public struct SubcircuitArea: Hashable, Sendable {
    public var code: SubcircuitCode
    public var name: String
    public var circuit: CircuitCode
    public var circuitName: String
    public var district: DistrictCode
    public var districtName: String
    /// Province name, upper case (`AZUAY`); the subzona code is `code.subzone`.
    public var subzoneName: String
    public var zone: ZoneCode
    public var upc: UPCCode
    public var geometry: MultiPolygon

    public init(code: SubcircuitCode, name: String, circuit: CircuitCode, circuitName: String,
                district: DistrictCode, districtName: String, subzoneName: String, zone: ZoneCode,
                upc: UPCCode, geometry: MultiPolygon) {
        self.code = code
        self.name = name
        self.circuit = circuit
        self.circuitName = circuitName
        self.district = district
        self.districtName = districtName
        self.subzoneName = subzoneName
        self.zone = zone
        self.upc = upc
        self.geometry = geometry
    }

    public var subzone: SubzoneCode { code.subzone }
}

/// A UPC (Unidad de Policía Comunitaria): where the patrol of one or more subcircuitos is based.
public struct UPCSite: Hashable, Sendable {
    public var code: UPCCode
    public var name: String
    public var position: GeoPoint
    /// Subcircuitos served, in code order.
    public var subcircuits: [SubcircuitCode]
    /// Landline in E.164 (`+593…`).
    public var phone: String

    public init(code: UPCCode, name: String, position: GeoPoint, subcircuits: [SubcircuitCode], phone: String) {
        self.code = code
        self.name = name
        self.position = position
        self.subcircuits = subcircuits
        self.phone = phone
    }
}

/// A subzona (province): INEC code and upper-case name.
public struct SubzoneInfo: Hashable, Sendable {
    public var code: SubzoneCode
    public var name: String
}

/// A distrito with its name, subzona and zona.
public struct DistrictInfo: Hashable, Sendable {
    public var code: DistrictCode
    public var name: String
    public var zone: ZoneCode
    public var subzone: SubzoneCode { code.subzone }
}

/// A circuito with its name and zona.
public struct CircuitInfo: Hashable, Sendable {
    public var code: CircuitCode
    public var name: String
    public var zone: ZoneCode
    public var district: DistrictCode { code.district }
}

/// The national police territory: every subcircuito with its area, every UPC, and the derived lists of zonas,
/// subzonas, distritos and circuitos (all sorted by code).
///
/// A value: once built it is validated (codes, names, references between subcircuitos and UPCs) and never changes.
public struct Territory: Sendable, Equatable {
    /// In code order (the file order).
    public let subcircuits: [SubcircuitArea]
    /// In code order.
    public let upcs: [UPCSite]
    public let zones: [ZoneCode]
    public let subzones: [SubzoneInfo]
    public let districts: [DistrictInfo]
    public let circuits: [CircuitInfo]

    private let subcircuitIndex: [SubcircuitCode: Int]
    private let upcIndex: [UPCCode: Int]

    public func subcircuit(_ code: SubcircuitCode) -> SubcircuitArea? {
        subcircuitIndex[code].map { subcircuits[$0] }
    }

    public func upc(_ code: UPCCode) -> UPCSite? {
        upcIndex[code].map { upcs[$0] }
    }

    /// Position of a subcircuito in ``subcircuits`` (what ``TerritoryIndex`` returns).
    public func indexOfSubcircuit(_ code: SubcircuitCode) -> Int? { subcircuitIndex[code] }

    /// Position of a UPC in ``upcs``.
    public func indexOfUPC(_ code: UPCCode) -> Int? { upcIndex[code] }

    /// Validates the cross-references and derives the parent lists. Use it to rebuild a territory read back from
    /// the store; ``TerritoryReader`` calls it too.
    ///
    /// Errors name features as in the GeoJSON file: subcircuit `i` is `features[i]`, UPC `j` is
    /// `features[subcircuits.count + j]`.
    public init(subcircuits: [SubcircuitArea], upcs: [UPCSite]) throws(TerritoryImportError) {
        try self.init(subcircuits: subcircuits, upcs: upcs,
                      subcircuitFeatures: Array(0..<subcircuits.count),
                      upcFeatures: Array(subcircuits.count..<(subcircuits.count + upcs.count)))
    }

    /// `subcircuitFeatures[i]` / `upcFeatures[j]`: the position in the GeoJSON `features` array, for messages.
    init(subcircuits: [SubcircuitArea], upcs: [UPCSite], subcircuitFeatures fs: [Int],
         upcFeatures fu: [Int]) throws(TerritoryImportError) {
        func sub(_ i: Int, _ key: String) -> String { "features[\(fs[i])].properties.\(key)" }
        func upcField(_ j: Int, _ key: String) -> String { "features[\(fu[j])].properties.\(key)" }
        let nS = subcircuits.count

        var subIdx: [SubcircuitCode: Int] = [:]
        subIdx.reserveCapacity(nS)
        var circuits: [CircuitCode: CircuitInfo] = [:]
        var districts: [DistrictCode: DistrictInfo] = [:]
        var subzones: [SubzoneCode: SubzoneInfo] = [:]
        var zones = Set<ZoneCode>()
        for (i, s) in subcircuits.enumerated() {
            if let first = subIdx[s.code] {
                throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "code"), kind: .duplicateCode,
                                           detail: "\(s.code) (features[\(fs[first])])")
            }
            subIdx[s.code] = i
            guard s.circuit == s.code.circuit else {
                throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "circuit"), kind: .inconsistent,
                                           detail: "\(s.circuit) ≠ \(s.code.circuit)")
            }
            guard s.district == s.code.district else {
                throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "district"), kind: .inconsistent,
                                           detail: "\(s.district) ≠ \(s.code.district)")
            }
            for (key, value) in [("name", s.name), ("circuitName", s.circuitName), ("districtName", s.districtName),
                                 ("subzone", s.subzoneName)] where value.allSatisfy(\.isWhitespace) {
                throw TerritoryImportError(featureIndex: fs[i], field: sub(i, key), kind: .empty, detail: "")
            }
            if let c = circuits[s.circuit] {
                guard c.name == s.circuitName else {
                    throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "circuitName"), kind: .inconsistent,
                                               detail: "\(s.circuitName) ≠ \(c.name)")
                }
            } else {
                circuits[s.circuit] = CircuitInfo(code: s.circuit, name: s.circuitName, zone: s.zone)
            }
            if let d = districts[s.district] {
                guard d.name == s.districtName else {
                    throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "districtName"), kind: .inconsistent,
                                               detail: "\(s.districtName) ≠ \(d.name)")
                }
                guard d.zone == s.zone else {
                    throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "zone"), kind: .inconsistent,
                                               detail: "\(s.zone) ≠ \(d.zone)")
                }
            } else {
                districts[s.district] = DistrictInfo(code: s.district, name: s.districtName, zone: s.zone)
            }
            if let z = subzones[s.subzone] {
                guard z.name == s.subzoneName else {
                    throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "subzone"), kind: .inconsistent,
                                               detail: "\(s.subzoneName) ≠ \(z.name)")
                }
            } else {
                subzones[s.subzone] = SubzoneInfo(code: s.subzone, name: s.subzoneName)
            }
            zones.insert(s.zone)
        }

        var upcIdx: [UPCCode: Int] = [:]
        upcIdx.reserveCapacity(upcs.count)
        var servedBy: [SubcircuitCode: Int] = [:]
        for (j, u) in upcs.enumerated() {
            if let first = upcIdx[u.code] {
                throw TerritoryImportError(featureIndex: fu[j], field: upcField(j, "code"), kind: .duplicateCode,
                                           detail: "\(u.code) (features[\(fu[first])])")
            }
            upcIdx[u.code] = j
            if u.name.allSatisfy(\.isWhitespace) {
                throw TerritoryImportError(featureIndex: fu[j], field: upcField(j, "name"), kind: .empty, detail: "")
            }
            guard !u.subcircuits.isEmpty else {
                throw TerritoryImportError(featureIndex: fu[j], field: upcField(j, "subcircuits"), kind: .empty,
                                           detail: "[]")
            }
            guard u.position.isValid else {
                throw TerritoryImportError(featureIndex: fu[j], field: "features[\(fu[j])].geometry.coordinates",
                                           kind: u.position.latitude.magnitude > 90 ? .latitudeRange : .longitudeRange,
                                           detail: u.position.description)
            }
            for (k, c) in u.subcircuits.enumerated() {
                guard subIdx[c] != nil else {
                    throw TerritoryImportError(featureIndex: fu[j], field: upcField(j, "subcircuits[\(k)]"),
                                               kind: .unknownSubcircuit, detail: c.rawValue)
                }
                if let other = servedBy[c], other != j {
                    throw TerritoryImportError(featureIndex: fu[j], field: upcField(j, "subcircuits[\(k)]"),
                                               kind: .inconsistent,
                                               detail: "\(c) ya atendido por \(upcs[other].code)")
                }
                servedBy[c] = j
            }
        }
        for (i, s) in subcircuits.enumerated() {
            guard let j = upcIdx[s.upc] else {
                throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "upc"), kind: .unknownUPC,
                                           detail: s.upc.rawValue)
            }
            guard servedBy[s.code] == j else {
                throw TerritoryImportError(featureIndex: fs[i], field: sub(i, "upc"), kind: .inconsistent,
                                           detail: "\(s.upc) no lista \(s.code)")
            }
        }

        self.subcircuits = subcircuits
        self.upcs = upcs
        self.subcircuitIndex = subIdx
        self.upcIndex = upcIdx
        self.zones = zones.sorted()
        self.subzones = subzones.values.sorted { $0.code < $1.code }
        self.districts = districts.values.sorted { $0.code < $1.code }
        self.circuits = circuits.values.sorted { $0.code < $1.code }
    }
}
