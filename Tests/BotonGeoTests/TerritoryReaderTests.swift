import BotonCore
import BotonGeo
import Testing

@Suite("TerritoryReader")
struct TerritoryReaderTests {
    @Test func readsMinimalFile() throws {
        let t = try Fixture.territory("minimal.geojson")
        #expect(t.subcircuits.count == 1)
        #expect(t.upcs.count == 1)
        let s = t.subcircuits[0]
        #expect(s.code.rawValue == "17D01C01S01")
        #expect(s.name == "CUADRO")
        #expect(s.circuit.rawValue == "17D01C01")
        #expect(s.district.rawValue == "17D01")
        #expect(s.subzoneName == "PICHINCHA")
        #expect(s.zone.number == 9)
        #expect(s.upc.rawValue == "UPC-17D01C01S01")
        #expect(s.geometry.polygons.count == 1)
        #expect(s.geometry.polygons[0].exterior.count == 5)
        let u = t.upcs[0]
        #expect(u.position == GeoPoint(latitude: 0.5, longitude: 0.5))
        #expect(u.subcircuits.map(\.rawValue) == ["17D01C01S01"])
        #expect(u.phone == "+59322000000")
        #expect(t.zones.map(\.number) == [9])
        #expect(t.subzones.map(\.name) == ["PICHINCHA"])
        #expect(t.subzones.map(\.code.rawValue) == ["17"])
        #expect(t.districts.map(\.code.rawValue) == ["17D01"])
        #expect(t.circuits.map(\.name) == ["CIRCUITO 01"])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let file: String
        let featureIndex: Int?
        let field: String
        let reason: String
        var testDescription: String { file }
    }

    static let malformed: [Case] = [
        Case(file: "not-feature-collection.geojson", featureIndex: nil, field: "type", reason: "not_feature_collection"),
        Case(file: "bad-code.geojson", featureIndex: 0, field: "features[0].properties.code", reason: "code"),
        Case(file: "missing-name.geojson", featureIndex: 0, field: "features[0].properties.name", reason: "missing"),
        Case(file: "empty-upc-name.geojson", featureIndex: 1, field: "features[1].properties.name", reason: "empty"),
        Case(file: "unknown-upc.geojson", featureIndex: 0, field: "features[0].properties.upc", reason: "unknown_upc"),
        Case(file: "unknown-subcircuit.geojson", featureIndex: 1, field: "features[1].properties.subcircuits[1]",
             reason: "unknown_subcircuit"),
        Case(file: "unclosed-ring.geojson", featureIndex: 0, field: "features[0].geometry.coordinates[0]",
             reason: "ring_not_closed"),
        Case(file: "short-ring.geojson", featureIndex: 0, field: "features[0].geometry.coordinates[0]",
             reason: "ring_too_short"),
        Case(file: "non-numeric-coordinate.geojson", featureIndex: 0,
             field: "features[0].geometry.coordinates[0][1][1]", reason: "coordinate"),
        Case(file: "latitude-out-of-range.geojson", featureIndex: 1, field: "features[1].geometry.coordinates[1]",
             reason: "latitude_range"),
        Case(file: "longitude-out-of-range.geojson", featureIndex: 0,
             field: "features[0].geometry.coordinates[0][2][0]", reason: "longitude_range"),
        Case(file: "geometry-type-mismatch.geojson", featureIndex: 1, field: "features[1].geometry.type",
             reason: "geometry_type"),
        Case(file: "bad-phone.geojson", featureIndex: 1, field: "features[1].properties.phone", reason: "phone"),
        Case(file: "bad-level.geojson", featureIndex: 1, field: "features[1].properties.level", reason: "level"),
        Case(file: "duplicate-code.geojson", featureIndex: 1, field: "features[1].properties.code",
             reason: "duplicate_code"),
        Case(file: "truncated.geojson", featureIndex: 1, field: "features[1].properties.code", reason: "truncated"),
        Case(file: "syntax-error.geojson", featureIndex: 0, field: "features[0].properties.name", reason: "syntax"),
    ]

    @Test("rejects malformed files naming feature, field and reason", arguments: malformed)
    func rejects(_ c: Case) {
        let bytes = Fixture.small("malformed/" + c.file)
        #expect {
            _ = try TerritoryReader.read(bytes: bytes)
        } throws: { error in
            guard let e = error as? TerritoryImportError else { return false }
            #expect(e.featureIndex == c.featureIndex, "\(e)")
            #expect(e.field == c.field, "\(e)")
            #expect(e.reason == c.reason, "\(e)")
            #expect(!e.mensaje.isEmpty)
            #expect(e.description.contains(c.field))
            return true
        }
    }

    @Test func errorTextsForOperatorAndCLI() throws {
        do {
            _ = try TerritoryReader.read(bytes: Fixture.small("malformed/bad-code.geojson"))
            Issue.record("accepted a bad code")
        } catch {
            #expect(error.kind == .code)
            #expect(error.mensaje.hasPrefix("Elemento 0 (features[0].properties.code)"))
            #expect(error.mensaje.contains("17D01C01X01"))
            #expect(error.description
                == "territory import: feature 0, features[0].properties.code: code: invalid code: 17D01C01X01: format")
            let asValidation: any ValidationError = error
            #expect(asValidation.reason == "code")
        }
    }

    @Test func rejectsEmptyAndNonObjectDocuments() {
        for (text, reason) in [("", "truncated"), ("[]", "not_feature_collection"), ("{\"type\":\"FeatureCollection\"}",
                                "not_feature_collection"), ("{\"type\":\"FeatureCollection\",\"features\":[]} x",
                                "syntax"), ("{\"type\":\"FeatureCollection\",\"features\":[1]}", "type"),
                               ("{\"type\":\"FeatureCollection\",\"type\":\"FeatureCollection\",\"features\":[]}",
                                "duplicate_key")] {
            do {
                _ = try TerritoryReader.read(bytes: Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.reason == reason, "\(text): \(error)")
            }
        }
    }

    @Test func emptyCollectionIsAnEmptyTerritory() throws {
        let t = try TerritoryReader.read(bytes: Array("{\"type\":\"FeatureCollection\",\"features\":[]}".utf8))
        #expect(t.subcircuits.isEmpty && t.upcs.isEmpty)
        let index = TerritoryIndex(territory: t)
        #expect(index.locate(longitude: 0, latitude: 0) == .fallback)
    }

    @Test func decodesEscapesAndNumbers() throws {
        var text = String(decoding: Fixture.small("minimal.geojson"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"name\":\"CUADRO\"", with: "\"name\":\"CA\\u00d1AR \\\"1\\\" \\ud83d\\ude93\"")
        text = text.replacingOccurrences(of: "[0.5,0.5]", with: "[5e-1,  50E-2 ]")
        let t = try TerritoryReader.read(bytes: Array(text.utf8))
        #expect(t.subcircuits[0].name == "CAÑAR \"1\" 🚓")
        #expect(t.upcs[0].position == GeoPoint(latitude: 0.5, longitude: 0.5))
    }

    @Test func numbersAreCorrectlyRounded() throws {
        // Values whose digits need the slow path must still round exactly like the C library / Python.
        let samples = ["-78.982761", "-0.2202", "1.681112", "-92.008966", "0.1", "12345678901234567890.5e-18",
                       "-78.98276100000000000000001", "4.9e-324", "1e-7"]
        for s in samples {
            var text = String(decoding: Fixture.small("minimal.geojson"), as: UTF8.self)
            text = text.replacingOccurrences(of: "[0.5,0.5]", with: "[\(s),0.5]")
            let t = try TerritoryReader.read(bytes: Array(text.utf8))
            #expect(t.upcs[0].position.longitude == Double(s)!, "\(s)")
        }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: TerritoryImportError.self) { try TerritoryReader.read(path: "/nonexistent/territorio.geojson") }
    }
}
