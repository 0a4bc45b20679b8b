import BotonCore
import BotonGeo
import Testing

@Suite("TerritoryIndex on hand-made shapes")
struct TerritoryIndexTests {
    static let shapes: Territory = {
        do { return try Fixture.territory("shapes.geojson") } catch { fatalError("\(error)") }
    }()

    /// Small cells so the tiny fixture gets complex cells, single-owner cells and empty cells.
    static let indexes: [TerritoryIndex] = [0.01, 0.3, 1, 7].map {
        TerritoryIndex(territory: shapes, nearestUPCRadiusMeters: 5_000, cellSizeDegrees: $0)
    }

    func owner(_ x: Double, _ y: Double, file: String = #fileID, line: Int = #line) -> String? {
        let answers = Self.indexes.map { index -> String? in
            index.subcircuitIndex(longitude: x, latitude: y).map { Self.shapes.subcircuits[$0].code.rawValue }
        }
        let reference = Self.indexes[0].bruteForceSubcircuitIndex(longitude: x, latitude: y)
            .map { Self.shapes.subcircuits[$0].code.rawValue }
        for a in answers { #expect(a == reference, "(\(x), \(y)) index \(String(describing: a)) reference \(String(describing: reference))") }
        return reference
    }

    // Square [0,2]² split into SW S01, SE S02, NW S03, NE S04.
    @Test func interiorsOfTheFourSquares() {
        #expect(owner(0.5, 0.5) == "17D01C01S01")
        #expect(owner(1.5, 0.5) == "17D01C01S02")
        #expect(owner(0.5, 1.5) == "17D01C01S03")
        #expect(owner(1.5, 1.5) == "17D01C01S04")
    }

    /// Documented rule: a point on an edge belongs to the polygon to its east; on a horizontal edge, to the polygon
    /// to its north; at a vertex, to the polygon containing the direction just north of east.
    @Test func sharedEdgesAndVertexHaveExactlyOneOwner() {
        #expect(owner(1, 0.5) == "17D01C01S02")   // vertical SW|SE edge → east (SE)
        #expect(owner(1, 1.5) == "17D01C01S04")   // vertical NW|NE edge → east (NE)
        #expect(owner(0.5, 1) == "17D01C01S03")   // horizontal SW/NW edge → north (NW)
        #expect(owner(1.5, 1) == "17D01C01S04")   // horizontal SE/NE edge → north (NE)
        #expect(owner(1, 1) == "17D01C01S04")     // centre vertex → NE
    }

    @Test func outerEdgesAndCorners() {
        #expect(owner(0, 0.5) == "17D01C01S01")   // west edge: the square is to the east
        #expect(owner(0, 1.5) == "17D01C01S03")
        #expect(owner(2, 0.5) == nil)             // east edge: outside is to the east
        #expect(owner(2, 1.5) == nil)
        #expect(owner(0.5, 0) == "17D01C01S01")   // south edge: the square is to the north
        #expect(owner(1.5, 0) == "17D01C01S02")
        #expect(owner(0.5, 2) == nil)             // north edge: outside is to the north
        #expect(owner(1.5, 2) == nil)
        #expect(owner(0, 0) == "17D01C01S01")
        #expect(owner(1, 0) == "17D01C01S02")
        #expect(owner(2, 0) == nil)
        #expect(owner(0, 1) == "17D01C01S03")
        #expect(owner(2, 1) == nil)
        #expect(owner(0, 2) == nil)
        #expect(owner(1, 2) == nil)
        #expect(owner(2, 2) == nil)
    }

    @Test func everyPointOfTheSquareHasExactlyOneOwner() {
        // A lattice including every edge and vertex: each point of [0,2)² is owned by exactly one square, and the
        // index agrees with the reference everywhere.
        let squares = Self.shapes.subcircuits.prefix(4)
        for i in 0...40 {
            for j in 0...40 {
                let x = Double(i) * 0.05, y = Double(j) * 0.05
                let owners = squares.filter { $0.geometry.contains(longitude: x, latitude: y) }.count
                #expect(owners == (x < 2 && y < 2 ? 1 : 0), "(\(x), \(y))")
                _ = owner(x, y)
            }
        }
    }

    @Test func holes() {
        #expect(owner(10.5, 2) == "17D01C02S01")  // in the polygon, outside its holes
        #expect(owner(12, 2) == "17D01C02S02")    // in the filled hole: the filler, not the holed polygon
        #expect(owner(14.5, 2) == nil)            // in the empty hole: nobody
        #expect(owner(11, 2) == "17D01C02S02")    // west edge of the hole → east side (the filler)
        #expect(owner(13, 2) == "17D01C02S01")    // east edge of the hole → east side (the holed polygon)
        #expect(owner(14, 2) == nil)              // west edge of the empty hole
        #expect(owner(15, 2) == "17D01C02S01")
    }

    @Test func clockwiseRings() {
        // 17D01C02S01's exterior and first hole are clockwise; 17D01C03S01's second part too.
        #expect(owner(15.5, 3.5) == "17D01C02S01")
        #expect(owner(22.5, 0.5) == "17D01C03S01")
    }

    @Test func multiPolygon() {
        #expect(owner(20.5, 0.5) == "17D01C03S01")
        #expect(owner(22.5, 0.5) == "17D01C03S01")
        #expect(owner(21.5, 0.5) == nil)          // between the parts
    }

    @Test func locateGivesTheUPC() {
        let index = Self.indexes[1]
        let sc = try! SubcircuitCode("17D01C01S03")
        let upc = try! UPCCode("UPC-17D01C01S01")
        #expect(index.locate(GeoPoint(latitude: 1.5, longitude: 0.5)) == .subcircuit(index: 2, code: sc, upc: upc))
    }

    @Test func nearestUPCWithinTheRadius() throws {
        let index = Self.indexes[1]
        let upc = try UPCCode("UPC-17D01C03S01")
        // 0.03° east of the UPC at (22.99, 0.5): about 3.3 km, outside every polygon.
        guard case .nearestUPC(let j, let code, let d) = index.locate(longitude: 23.02, latitude: 0.5) else {
            Issue.record("expected nearestUPC"); return
        }
        #expect(code == upc)
        #expect(Self.shapes.upcs[j].code == upc)
        #expect(abs(d - 3335.85) < 1)
        // 0.11° away: about 12 km, beyond 5 km.
        #expect(index.locate(longitude: 23.1, latitude: 0.5) == .fallback)
        // The radius is configurable; 0 disables the nearest-UPC rule.
        let noRadius = TerritoryIndex(territory: Self.shapes, nearestUPCRadiusMeters: 0)
        #expect(noRadius.locate(longitude: 23.02, latitude: 0.5) == .fallback)
        let wide = TerritoryIndex(territory: Self.shapes, nearestUPCRadiusMeters: 20_000)
        if case .nearestUPC(_, let c, _) = wide.locate(longitude: 23.1, latitude: 0.5) { #expect(c == upc) } else {
            Issue.record("expected nearestUPC with a 20 km radius")
        }
    }

    @Test func invalidPositionsFallBack() {
        let index = Self.indexes[1]
        #expect(index.locate(longitude: .nan, latitude: 0.5) == .fallback)
        #expect(index.locate(longitude: 0.5, latitude: .infinity) == .fallback)
        #expect(index.locate(longitude: 500, latitude: 0.5) == .fallback)
        #expect(index.subcircuitIndex(longitude: -.infinity, latitude: .nan) == nil)
    }

    @Test func distances() {
        let quito = GeoPoint(latitude: -0.2202, longitude: -78.5123)
        let guayaquil = GeoPoint(latitude: -2.1894, longitude: -79.8891)
        #expect(abs(quito.distanceMeters(to: guayaquil) - 266_000) < 2_000)
        #expect(quito.distanceMeters(to: quito) == 0)
    }
}
