import Foundation
import Testing
@testable import BotonApp
import BotonGeo
import BotonStore
import BotonStoreFixtures
import BotonRepository
@testable import BotonRuntime

@Suite struct TerritoryRoundTripTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/territorio-ec.geojson").path

    @Test func theNationalTerritorySurvivesTheStoreUnchanged() throws {
        let territory = try TerritoryReader.read(path: Self.file)
        let dir = NSTemporaryDirectory() + "boton-rt-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try TestDatabase(path: dir + "/t.sqlite")
        let store = try database.openStore()
        try store.migrate()
        try store.replaceTerritory(TerritorySnapshot(territory: territory))
        let counts = try store.territoryCounts()
        #expect(counts.zonas == 9 && counts.subzonas == 24 && counts.distritos == 140)
        #expect(counts.circuitos == 974 && counts.subcircuitos == 1483 && counts.upcs == 1186)
        let back = try Territory(snapshot: try store.loadTerritory())
        #expect(back == territory)
        // A second import of the same territory changes nothing.
        try store.replaceTerritory(TerritorySnapshot(territory: territory))
        #expect(try Territory(snapshot: try store.loadTerritory()) == territory)
    }

    @Test func routingFollowsTheConfiguredFallback() throws {
        let territory = try TerritoryReader.read(path: Self.file)
        var settings = Configuration.Territory()
        settings.centralCode = "CENTRAL-X"
        let table = RoutingTable(territory: territory, configuration: settings)
        let quito = table.route(GeoPoint(latitude: -0.2202, longitude: -78.5123))
        #expect(quito.source == .subcircuito)
        #expect(quito.subcircuit?.code.rawValue.hasPrefix("17") == true)
        #expect(quito.upcCode.hasPrefix("UPC-17"))
        let sea = table.route(GeoPoint(latitude: -3.0, longitude: -85.0))
        #expect(sea.source == .central && sea.upcCode == "CENTRAL-X")
    }
}
