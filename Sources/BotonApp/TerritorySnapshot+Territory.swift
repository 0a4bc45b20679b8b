import BotonCore
public import BotonGeo
public import BotonRepository
import BotonWire

/// Moving the territory between its geo model and the store's rows.
extension TerritorySnapshot {
    /// The rows that store `territory`: one unit per zona, subzona, distrito, circuito and subcircuito (with its
    /// geometry), and the UPCs with the subcircuitos they serve.
    public init(territory: Territory) {
        var units: [TerritoryUnitRecord] = []
        for zone in territory.zones {
            units.append(TerritoryUnitRecord(code: zone.description, level: .zona, name: zone.description))
        }
        for subzone in territory.subzones {
            units.append(TerritoryUnitRecord(code: subzone.code.rawValue, level: .subzona, name: subzone.name))
        }
        for district in territory.districts {
            units.append(TerritoryUnitRecord(code: district.code.rawValue, level: .distrito, name: district.name,
                                             parentCode: district.subzone.rawValue,
                                             zoneCode: district.zone.description))
        }
        for circuit in territory.circuits {
            units.append(TerritoryUnitRecord(code: circuit.code.rawValue, level: .circuito, name: circuit.name,
                                             parentCode: circuit.district.rawValue,
                                             zoneCode: circuit.zone.description))
        }
        for s in territory.subcircuits {
            units.append(TerritoryUnitRecord(code: s.code.rawValue, level: .subcircuito, name: s.name,
                                             parentCode: s.circuit.rawValue, zoneCode: s.zone.description,
                                             upcCode: s.upc.rawValue, geometry: s.geometry.encoded()))
        }
        let upcs = territory.upcs.map { u in
            UPCRecord(code: u.code.rawValue, name: u.name, latitude: u.position.latitude,
                      longitude: u.position.longitude, phone: u.phone, subcircuits: u.subcircuits.map(\.rawValue))
        }
        self.init(units: units, upcs: upcs)
    }
}

/// The stored territory could not be turned back into a territory (it was edited by hand, or is corrupt).
public struct StoredTerritoryError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let reason: String
    public var description: String {
        "the stored territory is inconsistent at \(code): \(reason); re-import it with 'boton territory import FILE'"
    }
}

extension Territory {
    /// Rebuilds the territory from the store's rows, validating it exactly as an import does.
    public init(snapshot: TerritorySnapshot) throws(StoredTerritoryError) {
        var names: [String: String] = [:]
        for unit in snapshot.units { names[unit.code] = unit.name }
        var subcircuits: [SubcircuitArea] = []
        do {
            for unit in snapshot.units where unit.level == .subcircuito {
                func fail(_ reason: String) -> StoredTerritoryError { StoredTerritoryError(code: unit.code, reason: reason) }
                let code = try SubcircuitCode(unit.code)
                guard let zoneText = unit.zoneCode, let upcText = unit.upcCode, let blob = unit.geometry else {
                    throw fail("zone, UPC or geometry missing")
                }
                let geometry: MultiPolygon
                do { geometry = try MultiPolygon(encoded: blob) } catch { throw fail(error.description) }
                subcircuits.append(SubcircuitArea(
                    code: code, name: unit.name, circuit: code.circuit, circuitName: names[code.circuit.rawValue] ?? "",
                    district: code.district, districtName: names[code.district.rawValue] ?? "",
                    subzoneName: names[code.subzone.rawValue] ?? "", zone: try ZoneCode(zoneText),
                    upc: try UPCCode(upcText), geometry: geometry))
            }
            let upcs = try snapshot.upcs.map { (u) throws(TerritoryCodeError) -> UPCSite in
                UPCSite(code: try UPCCode(u.code), name: u.name,
                        position: GeoPoint(latitude: u.latitude, longitude: u.longitude),
                        subcircuits: try u.subcircuits.map { (s) throws(TerritoryCodeError) in try SubcircuitCode(s) },
                        phone: u.phone ?? "")
            }
            do {
                try self.init(subcircuits: subcircuits, upcs: upcs)
            } catch {
                throw StoredTerritoryError(code: error.field, reason: error.description)
            }
        } catch let error as StoredTerritoryError {
            throw error
        } catch let error as TerritoryCodeError {
            throw StoredTerritoryError(code: error.input, reason: error.description)
        } catch {
            throw StoredTerritoryError(code: "?", reason: "\(error)")
        }
    }
}
