public import BotonCore

/// The area of a subcircuito: one or more polygons, each an exterior ring plus zero or more holes.
///
/// Rings are closed (the last position repeats the first) and may run in either direction: containment uses the
/// crossing-number rule, which does not depend on orientation.
public struct MultiPolygon: Hashable, Sendable {
    public struct Polygon: Hashable, Sendable {
        /// Closed exterior ring.
        public var exterior: [GeoPoint]
        /// Closed interior rings (holes).
        public var holes: [[GeoPoint]]

        public init(exterior: [GeoPoint], holes: [[GeoPoint]] = []) {
            self.exterior = exterior
            self.holes = holes
        }
    }

    public var polygons: [Polygon]

    public init(polygons: [Polygon]) {
        self.polygons = polygons
    }

    /// Total number of positions over all rings.
    public var positionCount: Int {
        polygons.reduce(0) { $0 + $1.exterior.count + $1.holes.reduce(0) { $0 + $1.count } }
    }

    /// Calls `body` once per ring (exteriors and holes alike).
    func forEachRing(_ body: ([GeoPoint]) -> Void) {
        for polygon in polygons {
            body(polygon.exterior)
            for hole in polygon.holes { body(hole) }
        }
    }

    /// Bounding box as (minimum longitude, minimum latitude, maximum longitude, maximum latitude); nil when empty.
    public var boundingBox: (minLongitude: Double, minLatitude: Double, maxLongitude: Double, maxLatitude: Double)? {
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        forEachRing { ring in
            for p in ring {
                x0 = min(x0, p.longitude); x1 = max(x1, p.longitude)
                y0 = min(y0, p.latitude); y1 = max(y1, p.latitude)
            }
        }
        return x0 <= x1 ? (x0, y0, x1, y1) : nil
    }

    /// The reference containment test: the half-open crossing-number rule over every edge of every ring (see the
    /// DocC page, "Points on an edge"). `TerritoryIndex` gives exactly the same answer, faster.
    public func contains(_ point: GeoPoint) -> Bool {
        contains(longitude: point.longitude, latitude: point.latitude)
    }

    /// ``contains(_:)`` without building a ``GeoPoint``.
    public func contains(longitude px: Double, latitude py: Double) -> Bool {
        var inside = false
        for polygon in polygons {
            if MultiPolygon.ringCrossings(polygon.exterior, px, py) { inside.toggle() }
            for hole in polygon.holes where MultiPolygon.ringCrossings(hole, px, py) { inside.toggle() }
        }
        return inside
    }

    /// Parity of the edges of `ring` that the +x ray from (px, py) crosses.
    static func ringCrossings(_ ring: [GeoPoint], _ px: Double, _ py: Double) -> Bool {
        var odd = false
        guard ring.count > 1 else { return false }
        for i in 1..<ring.count {
            let p = ring[i - 1], q = ring[i]
            if p.latitude < q.latitude {
                if EdgeRule.counts(p.longitude, p.latitude, q.longitude, q.latitude, px, py) { odd.toggle() }
            } else if q.latitude < p.latitude {
                if EdgeRule.counts(q.longitude, q.latitude, p.longitude, p.latitude, px, py) { odd.toggle() }
            }
        }
        return odd
    }
}

// MARK: - Binary encoding

/// Why stored geometry bytes could not be decoded (a corrupt or foreign BLOB).
public struct GeometryDecodingError: ValidationError, Equatable {
    public enum Kind: String, Sendable {
        case magic, version, truncated, count, coordinate, trailing
    }
    public let kind: Kind
    /// Byte offset where decoding stopped.
    public let offset: Int
    public var field: String { "geometry" }
    public var reason: String { kind.rawValue }
    public var mensaje: String {
        switch kind {
        case .magic: return "La geometría guardada no tiene el formato esperado."
        case .version: return "La geometría guardada usa una versión de formato desconocida."
        case .truncated: return "La geometría guardada está incompleta (byte \(offset))."
        case .count: return "La geometría guardada tiene un número de anillos o puntos no válido (byte \(offset))."
        case .coordinate: return "La geometría guardada tiene una coordenada no válida (byte \(offset))."
        case .trailing: return "La geometría guardada tiene datos sobrantes (byte \(offset))."
        }
    }
    public init(kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}

extension MultiPolygon {
    static let magic: [UInt8] = Array("BGMP".utf8)
    static let formatVersion: UInt8 = 1

    /// Compact, lossless binary form for storage (a SQLite BLOB).
    ///
    /// Layout: `"BGMP"`, format version `1`, coordinate kind, then unsigned LEB128 varints: polygon count, and for
    /// each polygon its ring count followed by each ring's position count; then all positions in order, longitude
    /// before latitude. Coordinate kind `1` (used when every coordinate is exactly a multiple of 10⁻⁶ degrees, as in
    /// the national file) stores zigzag varint deltas of micro-degrees from the previous position, about 2–3 bytes per
    /// coordinate; kind `0` stores raw little-endian IEEE 754 binary64 values.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = MultiPolygon.magic
        out.append(MultiPolygon.formatVersion)
        var micro = true
        forEachRing { ring in
            for p in ring where micro {
                micro = MultiPolygon.microdegrees(p.longitude) != nil && MultiPolygon.microdegrees(p.latitude) != nil
            }
        }
        out.append(micro ? 1 : 0)
        out.reserveCapacity(16 + positionCount * (micro ? 5 : 16))
        MultiPolygon.putVarint(UInt64(polygons.count), &out)
        for polygon in polygons {
            MultiPolygon.putVarint(UInt64(1 + polygon.holes.count), &out)
            MultiPolygon.putVarint(UInt64(polygon.exterior.count), &out)
            for hole in polygon.holes { MultiPolygon.putVarint(UInt64(hole.count), &out) }
        }
        var lastX: Int64 = 0, lastY: Int64 = 0
        forEachRing { ring in
            for p in ring {
                if micro {
                    let x = MultiPolygon.microdegrees(p.longitude)!, y = MultiPolygon.microdegrees(p.latitude)!
                    MultiPolygon.putVarint(MultiPolygon.zigzag(x - lastX), &out)
                    MultiPolygon.putVarint(MultiPolygon.zigzag(y - lastY), &out)
                    lastX = x; lastY = y
                } else {
                    for v in [p.longitude, p.latitude] {
                        var bits = v.bitPattern
                        for _ in 0..<8 { out.append(UInt8(truncatingIfNeeded: bits)); bits >>= 8 }
                    }
                }
            }
        }
        return out
    }

    /// Decodes bytes written by ``encoded()``.
    public init(encoded bytes: [UInt8]) throws(GeometryDecodingError) {
        var at = 0
        guard bytes.count >= 6, Array(bytes[0..<4]) == MultiPolygon.magic else {
            throw GeometryDecodingError(kind: bytes.count < 6 ? .truncated : .magic, offset: 0)
        }
        guard bytes[4] == MultiPolygon.formatVersion else { throw GeometryDecodingError(kind: .version, offset: 4) }
        let kind = bytes[5]
        guard kind <= 1 else { throw GeometryDecodingError(kind: .version, offset: 5) }
        at = 6
        // Every position takes at least 2 bytes, so no count may exceed what the remaining bytes could hold.
        func count(_ at: inout Int, minimum: UInt64) throws(GeometryDecodingError) -> Int {
            let start = at
            let n = try MultiPolygon.getVarint(bytes, &at)
            guard n >= minimum, n <= UInt64(bytes.count) else { throw GeometryDecodingError(kind: .count, offset: start) }
            return Int(n)
        }
        let polygonCount = try count(&at, minimum: 0)
        var shape: [[Int]] = []
        shape.reserveCapacity(polygonCount)
        var total = 0
        for _ in 0..<polygonCount {
            let rings = try count(&at, minimum: 1)
            var sizes: [Int] = []
            sizes.reserveCapacity(rings)
            for _ in 0..<rings {
                let n = try count(&at, minimum: 0)
                total += n
                guard total <= bytes.count else { throw GeometryDecodingError(kind: .count, offset: at) }
                sizes.append(n)
            }
            shape.append(sizes)
        }
        var lastX: Int64 = 0, lastY: Int64 = 0
        func position(_ at: inout Int) throws(GeometryDecodingError) -> GeoPoint {
            let start = at
            let lon: Double, lat: Double
            if kind == 1 {
                lastX &+= MultiPolygon.unzigzag(try MultiPolygon.getVarint(bytes, &at))
                lastY &+= MultiPolygon.unzigzag(try MultiPolygon.getVarint(bytes, &at))
                lon = Double(lastX) / 1e6
                lat = Double(lastY) / 1e6
            } else {
                guard at + 16 <= bytes.count else { throw GeometryDecodingError(kind: .truncated, offset: at) }
                var v: (UInt64, UInt64) = (0, 0)
                for i in 0..<8 {
                    v.0 |= UInt64(bytes[at + i]) << (8 * UInt64(i))
                    v.1 |= UInt64(bytes[at + 8 + i]) << (8 * UInt64(i))
                }
                at += 16
                lon = Double(bitPattern: v.0)
                lat = Double(bitPattern: v.1)
            }
            let p = GeoPoint(latitude: lat, longitude: lon)
            guard p.isValid else { throw GeometryDecodingError(kind: .coordinate, offset: start) }
            return p
        }
        var result: [Polygon] = []
        result.reserveCapacity(polygonCount)
        for sizes in shape {
            var rings: [[GeoPoint]] = []
            rings.reserveCapacity(sizes.count)
            for n in sizes {
                var ring: [GeoPoint] = []
                ring.reserveCapacity(n)
                for _ in 0..<n { ring.append(try position(&at)) }
                rings.append(ring)
            }
            result.append(Polygon(exterior: rings[0], holes: Array(rings.dropFirst())))
        }
        guard at == bytes.count else { throw GeometryDecodingError(kind: .trailing, offset: at) }
        polygons = result
    }

    /// `v` as an exact number of micro-degrees, or nil when `v` is not exactly `n / 1e6` for an integer `n`.
    static func microdegrees(_ v: Double) -> Int64? {
        guard v.isFinite, abs(v) <= 1000 else { return nil }
        let n = (v * 1e6).rounded()
        return Double(n) / 1e6 == v ? Int64(n) : nil
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

    static func putVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func getVarint(_ bytes: [UInt8], _ at: inout Int) throws(GeometryDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = at
        while true {
            guard at < bytes.count else { throw GeometryDecodingError(kind: .truncated, offset: at) }
            let b = bytes[at]
            at += 1
            guard shift < 64 else { throw GeometryDecodingError(kind: .count, offset: start) }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }
}
