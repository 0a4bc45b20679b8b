import BotonCore
import Foundation

/// Reads the national territory GeoJSON (see the DocC page for the schema) and validates it strictly.
///
/// All or nothing: the first problem found is thrown as a ``TerritoryImportError`` naming the feature, the JSON path
/// of the field and the reason; no partial territory is ever returned.
public enum TerritoryReader {
    /// Parses and validates a GeoJSON FeatureCollection given as UTF-8 bytes.
    public static func read(bytes: [UInt8]) throws(TerritoryImportError) -> Territory {
        let tape: JSONTape
        do {
            tape = try JSONTape(bytes: bytes)
        } catch {
            throw TerritoryImportError(featureIndex: error.featureIndex,
                                       field: error.path.isEmpty ? "$" : error.path,
                                       kind: error.kind == .truncated ? .truncated : .syntax,
                                       detail: error.detail)
        }
        var reader = Reader(tape: tape)
        return try reader.territory()
    }

    /// Reads the file at `path` (see ``read(bytes:)``).
    public static func read(path: String) throws(TerritoryImportError) -> Territory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TerritoryImportError(featureIndex: nil, field: "$", kind: .file, detail: path)
        }
        return try read(bytes: [UInt8](data))
    }
}

private struct Reader {
    let tape: JSONTape

    typealias Kind = TerritoryImportError.Kind

    func error(_ feature: Int?, _ field: String, _ kind: Kind, _ detail: String = "") -> TerritoryImportError {
        TerritoryImportError(featureIndex: feature, field: field, kind: kind, detail: detail)
    }

    /// Looks up the `keys` members of object node `object`; duplicate keys among them are an error.
    func members(_ object: Int, _ keys: [StaticString], feature: Int?, path: String) throws(TerritoryImportError)
        -> [Int?] {
        var found = [Int?](repeating: nil, count: keys.count)
        for (key, value) in tape.members(object) {
            for (k, name) in keys.enumerated() where tape.stringEquals(key, name) {
                guard found[k] == nil else {
                    throw error(feature, join(path, name.description), .duplicateKey, name.description)
                }
                found[k] = value
            }
        }
        return found
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func text(_ node: Int?, feature: Int?, field: String, allowEmpty: Bool = false) throws(TerritoryImportError)
        -> String {
        guard let node else { throw error(feature, field, .missing) }
        guard tape[node].kind == .string else { throw error(feature, field, .type, tape.rawText(node)) }
        let s: String
        do { s = try tape.string(node) } catch { throw self.error(feature, field, .syntax, "invalid string") }
        if !allowEmpty, s.allSatisfy(\.isWhitespace) { throw error(feature, field, .empty) }
        return s
    }

    func code<T>(_ node: Int?, feature: Int, field: String,
                 _ make: (String) throws(TerritoryCodeError) -> T) throws(TerritoryImportError) -> T {
        let s = try text(node, feature: feature, field: field)
        do { return try make(s) } catch { throw self.error(feature, field, .code, "\(s): \(error.reason)") }
    }

    mutating func territory() throws(TerritoryImportError) -> Territory {
        let root = 0
        guard tape[root].kind == .object else { throw error(nil, "$", .notFeatureCollection, tape.rawText(root)) }
        let top = try members(root, ["type", "features"], feature: nil, path: "")
        guard let type = top[0] else { throw error(nil, "type", .notFeatureCollection, "type missing") }
        guard tape.stringEquals(type, "FeatureCollection") else {
            throw error(nil, "type", .notFeatureCollection, tape.rawText(type))
        }
        guard let features = top[1] else { throw error(nil, "features", .notFeatureCollection, "features missing") }
        guard tape[features].kind == .array else { throw error(nil, "features", .type, tape.rawText(features)) }

        var subcircuits: [SubcircuitArea] = []
        var upcs: [UPCSite] = []
        var subFeatures: [Int] = []
        var upcFeatures: [Int] = []
        for (i, feature) in tape.elements(features).enumerated() {
            let path = "features[\(i)]"
            guard tape[feature].kind == .object else { throw error(i, path, .type, tape.rawText(feature)) }
            let m = try members(feature, ["type", "properties", "geometry"], feature: i, path: path)
            guard let t = m[0] else { throw error(i, "\(path).type", .missing) }
            guard tape.stringEquals(t, "Feature") else { throw error(i, "\(path).type", .type, tape.rawText(t)) }
            guard let props = m[1] else { throw error(i, "\(path).properties", .missing) }
            guard tape[props].kind == .object else { throw error(i, "\(path).properties", .type, tape.rawText(props)) }
            guard let geometry = m[2] else { throw error(i, "\(path).geometry", .missing) }
            guard tape[geometry].kind == .object else {
                throw error(i, "\(path).geometry", .type, tape.rawText(geometry))
            }
            let levelNode = try members(props, ["level"], feature: i, path: "\(path).properties")[0]
            let level = try text(levelNode, feature: i, field: "\(path).properties.level")
            switch level {
            case "subcircuito":
                subcircuits.append(try subcircuit(i, props, geometry))
                subFeatures.append(i)
            case "upc":
                upcs.append(try upc(i, props, geometry))
                upcFeatures.append(i)
            default:
                throw error(i, "\(path).properties.level", .level, level)
            }
        }
        return try Territory(subcircuits: subcircuits, upcs: upcs, subcircuitFeatures: subFeatures,
                             upcFeatures: upcFeatures)
    }

    func subcircuit(_ i: Int, _ props: Int, _ geometry: Int) throws(TerritoryImportError) -> SubcircuitArea {
        let p = "features[\(i)].properties"
        let m = try members(props, ["code", "name", "circuit", "circuitName", "district", "districtName", "subzone",
                                    "zone", "upc"], feature: i, path: p)
        let code = try self.code(m[0], feature: i, field: "\(p).code") { s throws(TerritoryCodeError) in
            try SubcircuitCode(s)
        }
        let name = try text(m[1], feature: i, field: "\(p).name")
        let circuit = try self.code(m[2], feature: i, field: "\(p).circuit") { s throws(TerritoryCodeError) in
            try CircuitCode(s)
        }
        let circuitName = try text(m[3], feature: i, field: "\(p).circuitName")
        let district = try self.code(m[4], feature: i, field: "\(p).district") { s throws(TerritoryCodeError) in
            try DistrictCode(s)
        }
        let districtName = try text(m[5], feature: i, field: "\(p).districtName")
        let subzone = try text(m[6], feature: i, field: "\(p).subzone")
        let zone = try self.code(m[7], feature: i, field: "\(p).zone") { s throws(TerritoryCodeError) in
            try ZoneCode(s)
        }
        let upc = try self.code(m[8], feature: i, field: "\(p).upc") { s throws(TerritoryCodeError) in
            try UPCCode(s)
        }
        let shape = try polygonal(i, geometry)
        return SubcircuitArea(code: code, name: name, circuit: circuit, circuitName: circuitName,
                              district: district, districtName: districtName, subzoneName: subzone, zone: zone,
                              upc: upc, geometry: shape)
    }

    func upc(_ i: Int, _ props: Int, _ geometry: Int) throws(TerritoryImportError) -> UPCSite {
        let p = "features[\(i)].properties"
        let m = try members(props, ["code", "name", "subcircuits", "phone"], feature: i, path: p)
        let code = try self.code(m[0], feature: i, field: "\(p).code") { s throws(TerritoryCodeError) in
            try UPCCode(s)
        }
        let name = try text(m[1], feature: i, field: "\(p).name")
        guard let list = m[2] else { throw error(i, "\(p).subcircuits", .missing) }
        guard tape[list].kind == .array else { throw error(i, "\(p).subcircuits", .type, tape.rawText(list)) }
        var served: [SubcircuitCode] = []
        for (k, node) in tape.elements(list).enumerated() {
            served.append(try self.code(node, feature: i, field: "\(p).subcircuits[\(k)]") {
                s throws(TerritoryCodeError) in try SubcircuitCode(s)
            })
        }
        let phone = try text(m[3], feature: i, field: "\(p).phone")
        let digits = phone.utf8.dropFirst(4)
        guard phone.hasPrefix("+593"), (8...9).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) })
        else { throw error(i, "\(p).phone", .phone, phone) }

        let g = "features[\(i)].geometry"
        let gm = try members(geometry, ["type", "coordinates"], feature: i, path: g)
        let type = try text(gm[0], feature: i, field: "\(g).type")
        guard type == "Point" else { throw error(i, "\(g).type", .geometryType, type) }
        guard let coords = gm[1] else { throw error(i, "\(g).coordinates", .missing) }
        let position = try self.position(i, coords, "\(g).coordinates")
        return UPCSite(code: code, name: name, position: position, subcircuits: served, phone: phone)
    }

    func polygonal(_ i: Int, _ geometry: Int) throws(TerritoryImportError) -> MultiPolygon {
        let g = "features[\(i)].geometry"
        let gm = try members(geometry, ["type", "coordinates"], feature: i, path: g)
        let type = try text(gm[0], feature: i, field: "\(g).type")
        let multi: Bool
        switch type {
        case "Polygon": multi = false
        case "MultiPolygon": multi = true
        default: throw error(i, "\(g).type", .geometryType, type)
        }
        guard let coords = gm[1] else { throw error(i, "\(g).coordinates", .missing) }
        let path = "\(g).coordinates"
        if !multi { return MultiPolygon(polygons: [try polygon(i, coords, path)]) }
        let parts = try array(i, coords, path)
        guard !parts.isEmpty else { throw error(i, path, .ringTooShort, "[]") }
        var polygons: [MultiPolygon.Polygon] = []
        polygons.reserveCapacity(parts.count)
        for (k, part) in parts.enumerated() { polygons.append(try polygon(i, part, "\(path)[\(k)]")) }
        return MultiPolygon(polygons: polygons)
    }

    func array(_ i: Int, _ node: Int, _ path: String) throws(TerritoryImportError) -> [Int] {
        guard tape[node].kind == .array else { throw error(i, path, .type, tape.rawText(node)) }
        return tape.elements(node)
    }

    func polygon(_ i: Int, _ node: Int, _ path: String) throws(TerritoryImportError) -> MultiPolygon.Polygon {
        let ringNodes = try array(i, node, path)
        guard !ringNodes.isEmpty else { throw error(i, path, .ringTooShort, "[]") }
        var rings: [[GeoPoint]] = []
        rings.reserveCapacity(ringNodes.count)
        for (r, ringNode) in ringNodes.enumerated() {
            let rp = "\(path)[\(r)]"
            guard tape[ringNode].kind == .array else { throw error(i, rp, .type, tape.rawText(ringNode)) }
            var ring: [GeoPoint] = []
            ring.reserveCapacity(Int(tape[ringNode].count))
            var k = ringNode + 1
            let end = Int(tape[ringNode].next)
            var at = 0
            while k < end {
                ring.append(try position(i, k, "\(rp)[\(at)]"))
                at += 1
                k = Int(tape[k].next)
            }
            guard ring.count >= 4 else { throw error(i, rp, .ringTooShort, "\(ring.count)") }
            guard ring[0] == ring[ring.count - 1] else {
                throw error(i, rp, .ringNotClosed, "\(ring[0]) ≠ \(ring[ring.count - 1])")
            }
            rings.append(ring)
        }
        return MultiPolygon.Polygon(exterior: rings[0], holes: Array(rings.dropFirst()))
    }

    /// `[lon, lat]` or `[lon, lat, altitude]` (altitude ignored). Hot path: no string building unless failing.
    func position(_ i: Int, _ node: Int, _ path: @autoclosure () -> String) throws(TerritoryImportError) -> GeoPoint {
        let n = tape[node]
        guard n.kind == .array else { throw error(i, path(), .coordinate, tape.rawText(node)) }
        guard n.count == 2 || n.count == 3 else { throw error(i, path(), .coordinate, "\(n.count) values") }
        for k in 0..<Int(n.count) where tape[node + 1 + k].kind != .number {
            throw error(i, "\(path())[\(k)]", .coordinate, tape.rawText(node + 1 + k))
        }
        let lon = tape[node + 1].number, lat = tape[node + 2].number
        guard lon.isFinite, (-180...180).contains(lon) else {
            throw error(i, "\(path())[0]", .longitudeRange, tape.rawText(node + 1))
        }
        guard lat.isFinite, (-90...90).contains(lat) else {
            throw error(i, "\(path())[1]", .latitudeRange, tape.rawText(node + 2))
        }
        return GeoPoint(latitude: lat, longitude: lon)
    }
}
