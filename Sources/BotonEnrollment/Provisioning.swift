public import BotonCore
import BotonCrypto
public import BotonGeo
public import BotonRepository

/// A device credential as issued: shown once, never stored in the clear anywhere else.
public struct IssuedCredential: Sendable {
    public let deviceID: String
    public let secretHex: String
    public let line: PhoneLine
    public let route: Route
}

public struct ProvisioningError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Registers a line with its address position and issues a device credential (until enrollment does it).
public enum Provisioning {
    public static func provisionDevice(line input: String, latitude: Double, longitude: Double, kind: String,
                                       store: any CredentialRepository, routing: RoutingTable, at: Timestamp) throws
        -> IssuedCredential
    {
        let line = try PhoneLine(input)
        let point = GeoPoint(latitude: latitude, longitude: longitude)
        let route = routing.route(point)
        guard route.source == .subcircuito, let area = route.subcircuit else {
            throw ProvisioningError( "the address position \(latitude),\(longitude) is not inside any "
                                    + "subcircuito of the territory")
        }
        let id = try Digest.randomBytes(16)
        let secret = try Digest.randomBytes(32)
        let deviceID = Hex.encode(id)
        try store.provisionDevice(
            id: deviceID, kind: kind, secret: secret,
            line: RegisteredLine(e164: line.e164, kind: line.kind.rawValue, homeSubcircuit: area.code.rawValue,
                                 homeLatitude: latitude, homeLongitude: longitude, suspended: false,
                                 gatewayLinked: kind == "linea_fija"),
            at: at)
        return IssuedCredential(deviceID: deviceID, secretHex: Hex.encode(secret), line: line, route: route)
    }

    public static func addGateway(name: String, supervisionSeconds: Int? = nil, store: any CredentialRepository,
                                  at: Timestamp) throws -> (id: String, secret: String) {
        let id = Hex.encode(try Digest.randomBytes(16))
        let secret = try Digest.randomBytes(32)
        try store.addGateway(id: id, name: name, secret: secret, supervisionSeconds: supervisionSeconds, at: at)
        return (id, Hex.encode(secret))
    }
}
