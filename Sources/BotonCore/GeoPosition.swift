/// A WGS 84 position reported for an alert (phone GPS, cell tower, operator correction).
public struct GeoPosition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Degrees, −90…90.
    public let latitude: Double
    /// Degrees, −180…180.
    public let longitude: Double
    /// Radius of the 68 % confidence circle in metres, if known (≥ 0).
    public let accuracyMeters: Double?

    public init(latitude: Double, longitude: Double, accuracyMeters: Double? = nil) throws(GeoPositionError) {
        guard latitude.isFinite, (-90...90).contains(latitude) else { throw GeoPositionError(.latitude) }
        guard longitude.isFinite, (-180...180).contains(longitude) else { throw GeoPositionError(.longitude) }
        if let a = accuracyMeters {
            guard a.isFinite, a >= 0 else { throw GeoPositionError(.accuracy) }
        }
        self.latitude = latitude
        self.longitude = longitude
        self.accuracyMeters = accuracyMeters
    }

    /// Decoding validates like ``init(latitude:longitude:accuracyMeters:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(latitude: c.decode(Double.self, forKey: .latitude),
                      longitude: c.decode(Double.self, forKey: .longitude),
                      accuracyMeters: c.decodeIfPresent(Double.self, forKey: .accuracyMeters))
    }

    public var description: String { "(\(latitude), \(longitude))" }
}
