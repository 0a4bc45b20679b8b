/// A GPS fix as a device frame carries it (bytes 40..<52): fixed-point degrees, accuracy and age.
public struct FramePosition: Hashable, Sendable {
    /// Valid latitudes, in units of 1e-7 degree.
    public static let latitudeRangeE7: ClosedRange<Int32> = -900_000_000 ... 900_000_000
    /// Valid longitudes, in units of 1e-7 degree.
    public static let longitudeRangeE7: ClosedRange<Int32> = -1_800_000_000 ... 1_800_000_000

    /// Latitude in units of 1e-7 degree (positive north).
    public let latitudeE7: Int32
    /// Longitude in units of 1e-7 degree (positive east).
    public let longitudeE7: Int32
    /// Horizontal accuracy in metres; 65535 means 65535 m or worse.
    public let accuracyMeters: UInt16
    /// Seconds between the fix and the frame's client timestamp.
    public let fixAgeSeconds: UInt16

    /// Throws ``WireError/badPosition`` when latitude or longitude is out of range.
    public init(latitudeE7: Int32, longitudeE7: Int32, accuracyMeters: UInt16, fixAgeSeconds: UInt16)
        throws(WireError)
    {
        guard Self.latitudeRangeE7.contains(latitudeE7), Self.longitudeRangeE7.contains(longitudeE7) else {
            throw .badPosition
        }
        self.latitudeE7 = latitudeE7
        self.longitudeE7 = longitudeE7
        self.accuracyMeters = accuracyMeters
        self.fixAgeSeconds = fixAgeSeconds
    }

    /// From degrees, rounded to the nearest 1e-7 degree; accuracy is rounded up and clamped to 65535 m, age is
    /// clamped to 65535 s. Throws ``WireError/badPosition`` when a coordinate is out of range or not finite.
    public init(latitude: Double, longitude: Double, accuracyMeters: Double, fixAgeSeconds: Int) throws(WireError) {
        guard latitude.isFinite, longitude.isFinite,
              abs(latitude) <= 90, abs(longitude) <= 180 else { throw .badPosition }
        let accuracy = accuracyMeters.isNaN ? 65535 : min(max(accuracyMeters.rounded(.up), 0), 65535)
        try self.init(latitudeE7: Int32((latitude * 1e7).rounded()),
                      longitudeE7: Int32((longitude * 1e7).rounded()),
                      accuracyMeters: UInt16(accuracy),
                      fixAgeSeconds: UInt16(clamping: max(fixAgeSeconds, 0)))
    }

    /// Latitude in degrees.
    public var latitude: Double { Double(latitudeE7) / 1e7 }
    /// Longitude in degrees.
    public var longitude: Double { Double(longitudeE7) / 1e7 }
}
