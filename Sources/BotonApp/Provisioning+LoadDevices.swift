public import BotonCore
import BotonCrypto
public import BotonGeo
public import BotonEnrollment
public import BotonRepository
public import BotonSimulator
import BotonWire

extension Provisioning {
    /// `count` simulated phones for `boton alert load`: mobile lines 099… with addresses at random points inside
    /// the territory's subcircuitos (a fixed `seed` gives the same points), registered in one transaction and
    /// marked simulated (``RegisteredLine/simulated``): their alerts are *simulacros*. A number that is already a
    /// real citizen's line is never touched: another number is drawn for it.
    public static func provisionLoadDevices(count: Int, seed: UInt64, store: any CredentialRepository, routing: RoutingTable,
                                            at: Timestamp) throws -> [LoadDevice]
    {
        var random = SplitMix(seed: seed)
        // Lines: 099 + 7 digits from a random block, so separate runs rarely reuse a line.
        var next = Int(random.next() % 9_000_000)
        var devices: [LoadDevice] = []
        var wanted = count
        for _ in 0 ..< 20 where wanted > 0 {
            var rows: [(id: String, kind: String, secret: [UInt8], line: RegisteredLine)] = []
            var drawn: [(line: String, device: LoadDevice)] = []
            for _ in 0 ..< wanted {
                let (point, area) = try randomPlace(&random, routing: routing)
                let line = try PhoneLine("099" + String(next % 10_000_000).leftPadded(to: 7))
                next += 1
                let id = try Digest.randomBytes(16)
                let secret = try Digest.randomBytes(32)
                rows.append((Hex.encode(id), "app", secret,
                             RegisteredLine(e164: line.e164, kind: line.kind.rawValue,
                                            homeSubcircuit: area.code.rawValue, homeLatitude: point.latitude,
                                            homeLongitude: point.longitude, suspended: false, gatewayLinked: false,
                                            simulated: true)))
                drawn.append((line.e164, LoadDevice(id: DeviceID(hex: Hex.encode(id))!, secret: secret, home: point)))
            }
            let refused = try store.provisionDevices(rows, at: at)
            devices += drawn.filter { !refused.contains($0.line) }.map(\.device)
            wanted = count - devices.count
        }
        guard wanted == 0 else {
            throw ProvisioningError("could not find \(count) free 099 numbers for simulated devices")
        }
        return devices
    }

    /// A random point of mainland Ecuador inside some subcircuito (about half of the bounding box is).
    private static func randomPlace(_ random: inout SplitMix, routing: RoutingTable) throws
        -> (GeoPoint, SubcircuitArea)
    {
        for _ in 0 ..< 10_000 {
            let point = GeoPoint(latitude: -5.0 + random.unit() * 6.4, longitude: -81.0 + random.unit() * 5.8)
            let route = routing.route(point)
            if route.source == .subcircuito, let area = route.subcircuit { return (point, area) }
        }
        throw ProvisioningError("no subcircuito found in the territory to place load devices")
    }
}

/// A small seeded generator (SplitMix64): reproducible load placements.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
