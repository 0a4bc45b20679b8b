import BotonGeo
import Testing

@Suite("MultiPolygon binary encoding")
struct MultiPolygonEncodingTests {
    static func ring(_ pts: [(Double, Double)]) -> [GeoPoint] {
        pts.map { GeoPoint(latitude: $0.1, longitude: $0.0) }
    }

    @Test func roundTripMicrodegrees() throws {
        let shape = MultiPolygon(polygons: [
            .init(exterior: Self.ring([(-78.982761, -2.916449), (-78.958513, -2.894937), (-78.970717, -2.873928),
                                       (-78.982761, -2.916449)]),
                  holes: [Self.ring([(-78.97, -2.9), (-78.965, -2.895), (-78.968, -2.89), (-78.97, -2.9)])]),
            .init(exterior: Self.ring([(-92.008966, 1.681112), (-92, 1.6), (-91.9, 1.7), (-92.008966, 1.681112)])),
        ])
        let bytes = shape.encoded()
        #expect(Array(bytes.prefix(6)) == Array("BGMP".utf8) + [1, 1])
        // Far smaller than raw doubles (16 bytes per position).
        #expect(bytes.count < shape.positionCount * 8)
        #expect(try MultiPolygon(encoded: bytes) == shape)
    }

    @Test func roundTripArbitraryDoubles() throws {
        let shape = MultiPolygon(polygons: [
            .init(exterior: Self.ring([(0.1 + 0.2, 1e-300), (179.99999999999, -89.5), (-180, 90), (0.1 + 0.2, 1e-300)])),
        ])
        let bytes = shape.encoded()
        #expect(bytes[5] == 0)
        #expect(try MultiPolygon(encoded: bytes) == shape)
    }

    @Test func roundTripEmpty() throws {
        let shape = MultiPolygon(polygons: [])
        #expect(try MultiPolygon(encoded: shape.encoded()) == shape)
    }

    @Test func roundTripNationalGeometries() throws {
        var total = 0
        for s in Fixture.national.subcircuits {
            let bytes = s.geometry.encoded()
            total += bytes.count
            #expect(try MultiPolygon(encoded: bytes) == s.geometry, "\(s.code)")
        }
        // About 72,000 positions: well under 16 bytes each.
        #expect(total < 72_200 * 8)
    }

    @Test func rejectsCorruptBytes() {
        let good = MultiPolygon(polygons: [.init(exterior: Self.ring([(0, 0), (1, 0), (1, 1), (0, 0)]))]).encoded()
        let cases: [([UInt8], GeometryDecodingError.Kind)] = [
            ([], .truncated),
            (Array("XXXX".utf8) + [1, 1, 0], .magic),
            (Array(good.prefix(4)) + [9, 1, 0], .version),
            (Array(good.dropLast()), .truncated),
            (good + [0], .trailing),
            (Array(good.prefix(6)) + [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], .count),
        ]
        for (bytes, kind) in cases {
            #expect {
                _ = try MultiPolygon(encoded: bytes)
            } throws: { error in
                (error as? GeometryDecodingError)?.kind == kind
            }
        }
    }
}
