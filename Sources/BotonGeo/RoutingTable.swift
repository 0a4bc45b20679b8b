
/// Where an alert goes: the subcircuito that holds a point and its UPC, or the nearest UPC, or the central.
public struct Route: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// The point lies in the subcircuito's polygon.
        case subcircuito
        /// Outside every polygon, but within the fallback radius of this UPC.
        case upcCercana = "upc_cercana"
        /// Nowhere near: the configured central answers.
        case central
    }
    public let source: Source
    /// The subcircuito holding the point (only for `.subcircuito`).
    public let subcircuit: SubcircuitArea?
    public let upcCode: String
    public let upcName: String
    /// Distance to the UPC, for `.upcCercana`.
    public let distanceMeters: Double?
}

/// The territory and its spatial index, built once and then only read: shared by reference across threads
/// without locks.
public final class RoutingTable: Sendable {
    public let territory: Territory
    public let index: TerritoryIndex
    public let centralCode: String
    public let centralName: String

    /// A point outside every subcircuito goes to the nearest UPC within `fallbackRadiusMeters`, else to the
    /// central named `centralCode` (`territory.*` settings).
    public init(territory: Territory, fallbackRadiusMeters: Double, centralCode: String, centralName: String) {
        self.territory = territory
        self.index = TerritoryIndex(territory: territory, nearestUPCRadiusMeters: fallbackRadiusMeters)
        self.centralCode = centralCode
        self.centralName = centralName
    }

    public func route(_ point: GeoPoint) -> Route {
        switch index.locate(point) {
        case .subcircuit(let i, _, _):
            let area = territory.subcircuits[i]
            let upc = territory.upc(area.upc)
            return Route(source: .subcircuito, subcircuit: area, upcCode: area.upc.rawValue,
                         upcName: upc?.name ?? area.upc.rawValue, distanceMeters: nil)
        case .nearestUPC(let j, _, let distance):
            let upc = territory.upcs[j]
            return Route(source: .upcCercana, subcircuit: nil, upcCode: upc.code.rawValue, upcName: upc.name,
                         distanceMeters: distance)
        case .fallback:
            return Route(source: .central, subcircuit: nil, upcCode: centralCode, upcName: centralName,
                         distanceMeters: nil)
        }
    }
}
