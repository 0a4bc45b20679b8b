import BotonCore
import BotonGeo
import Testing

@Suite("National territory (Config/territorio-ec.geojson)")
struct NationalTerritoryTests {
    @Test func counts() {
        let t = Fixture.national
        #expect(t.subcircuits.count == 1483)
        #expect(t.upcs.count == 1186)
        #expect(t.districts.count == 140)
        #expect(t.circuits.count == 974)
        #expect(t.subzones.count == 24)
        #expect(t.zones.count == 9)
        #expect(t.zones.map(\.number) == Array(1...9))
        #expect(t.subcircuits.filter { $0.geometry.polygons.count > 1 }.count == 51)
        #expect(t.subzones.first { $0.code.rawValue == "17" }?.name == "PICHINCHA")
    }

    @Test func quitoPointIsInPichincha() throws {
        guard case .subcircuit(let i, let code, let upc) = Fixture.nationalIndex.locate(
            GeoPoint(latitude: -0.2202, longitude: -78.5123)) else {
            Issue.record("not in a subcircuit"); return
        }
        let s = Fixture.national.subcircuits[i]
        #expect(s.code == code)
        #expect(code.rawValue.hasPrefix("17"))
        #expect(s.zone == (try ZoneCode("ZONA 9")))
        #expect(s.subzoneName == "PICHINCHA")
        #expect(Fixture.national.upc(upc)?.subcircuits.contains(code) == true)
    }

    @Test func indexAgreesWithBruteForceOnAllTestPoints() {
        let index = Fixture.nationalIndex
        let points = Fixture.nationalPointList()
        #expect(points.count == 20_000)
        var mismatches = 0
        var inside = 0
        for (x, y) in points {
            let fast = index.subcircuitIndex(longitude: x, latitude: y)
            let slow = index.bruteForceSubcircuitIndex(longitude: x, latitude: y)
            if fast != nil { inside += 1 }
            if fast != slow {
                mismatches += 1
                if mismatches <= 10 { Issue.record("(\(x), \(y)): index \(String(describing: fast)) brute force \(String(describing: slow))") }
            }
        }
        #expect(mismatches == 0)
        // 1,000 points are outside Ecuador; the other 19,000 are spread over the territory.
        #expect(inside >= 18_900 && inside <= 19_000)
    }

    @Test func everyUPCLiesInItsFirstSubcircuit() {
        let t = Fixture.national
        for u in t.upcs {
            let located = Fixture.nationalIndex.subcircuitIndex(longitude: u.position.longitude,
                                                                latitude: u.position.latitude)
            #expect(located.map { t.subcircuits[$0].code } == u.subcircuits.first, "\(u.code)")
        }
    }

    @Test func offshorePointsGoToTheNearestUPCOrTheCentral() {
        // Pacific, ~45 km west of Salinas: no subcircuit, no UPC within 5 km.
        #expect(Fixture.nationalIndex.locate(longitude: -81.4, latitude: -2.2) == .fallback)
        let wide = TerritoryIndex(territory: Fixture.national, nearestUPCRadiusMeters: 100_000)
        guard case .nearestUPC(_, let upc, let d) = wide.locate(longitude: -81.4, latitude: -2.2) else {
            Issue.record("expected nearestUPC"); return
        }
        #expect(upc.rawValue.hasPrefix("UPC-24"))   // Santa Elena
        #expect(d > 5_000 && d < 100_000)
    }

    @Test func sharedEdgeVerticesHaveExactlyOneOwner() {
        // Every vertex of the national file, and the midpoint of every edge, is owned by at most one subcircuit,
        // and the index agrees with the brute force there too.
        let t = Fixture.national
        let index = Fixture.nationalIndex
        let boxes = t.subcircuits.map { $0.geometry.boundingBox! }
        var checked = 0
        // Quito (17D…) and Guayaquil (09D…) first: the densest shared boundaries.
        for s in t.subcircuits where s.code.rawValue.hasPrefix("17D0") || s.code.rawValue.hasPrefix("09D0") {
            for polygon in s.geometry.polygons {
                let ring = polygon.exterior
                for k in 1..<ring.count {
                    let a = ring[k - 1], b = ring[k]
                    for p in [a, GeoPoint(latitude: (a.latitude + b.latitude) / 2,
                                          longitude: (a.longitude + b.longitude) / 2)] {
                        let owners = t.subcircuits.indices.lazy.filter {
                            let b = boxes[$0]
                            return p.longitude >= b.minLongitude && p.longitude <= b.maxLongitude
                                && p.latitude >= b.minLatitude && p.latitude <= b.maxLatitude
                                && t.subcircuits[$0].geometry.contains(p)
                        }.count
                        #expect(owners <= 1, "\(p)")
                        #expect(index.subcircuitIndex(longitude: p.longitude, latitude: p.latitude)
                                    == index.bruteForceSubcircuitIndex(longitude: p.longitude, latitude: p.latitude))
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 1000)
    }
}
