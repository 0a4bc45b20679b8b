// BotonGeo: the police territory (GeoJSON import, value model, binary geometry encoding) and the point index that
// routes an emergency-button position to its subcircuito and UPC. See BotonGeo.docc/BotonGeo.md.

/// A WGS 84 position. GeoJSON stores `[longitude, latitude]`; this type names both to avoid order mistakes.
public struct GeoPoint: Hashable, Sendable, CustomStringConvertible {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// True when both coordinates are finite and within latitude −90…90, longitude −180…180.
    public var isValid: Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }

    public var description: String { "(\(latitude), \(longitude))" }

    /// Mean Earth radius (IUGG), metres.
    public static let earthRadiusMeters = 6_371_008.8

    /// Great-circle (haversine) distance in metres on a sphere of radius ``earthRadiusMeters``.
    public func distanceMeters(to other: GeoPoint) -> Double {
        GeoPoint.haversineMeters(latitude, longitude, other.latitude, other.longitude)
    }

    static func haversineMeters(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let toRad = Double.pi / 180
        let dLat = (lat2 - lat1) * toRad
        let dLon = (lon2 - lon1) * toRad
        let s1 = sin(dLat / 2), s2 = sin(dLon / 2)
        let a = s1 * s1 + cos(lat1 * toRad) * cos(lat2 * toRad) * s2 * s2
        return 2 * earthRadiusMeters * asin(min(1, a.squareRoot()))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
