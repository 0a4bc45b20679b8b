import BotonConsole
import BotonCore
import BotonGeo
import BotonHTTP
import BotonRepository
import BotonWebKit
import Foundation

/// The territory an alert's map shows (`GET /api/v1/consola/alertas/:id/mapa`): its subcircuito and the ones
/// around it as GeoJSON, and its UPC with position and landline. The citizen's positions and address come with the
/// dossier (whose read is audited); this answer holds only the territory, which never changes while the alert is
/// open, so the page reads it once per alert it opens.
enum ConsoleMap {
    struct Answer: Encodable {
        let subcircuito: String?
        let territorio: FeatureCollection
        let upc: UPC?
    }

    struct UPC: Encodable {
        let codigo: String
        let nombre: String
        let latitud: Double
        let longitud: Double
        let telefono: String
        let telefonoNacional: String
        enum CodingKeys: String, CodingKey {
            case codigo, nombre, latitud, longitud, telefono
            case telefonoNacional = "telefono_nacional"
        }
    }

    struct FeatureCollection: Encodable {
        let type = "FeatureCollection"
        let features: [Feature]
    }

    struct Feature: Encodable {
        struct Properties: Encodable {
            /// `subcircuito` (the alert's) or `vecino`.
            let papel: String
            let codigo: String
            let nombre: String
            let upc: String
        }
        struct Geometry: Encodable {
            let type = "MultiPolygon"
            /// Polygons → rings → [longitude, latitude], six decimals (about 10 cm).
            let coordinates: [[[[Double]]]]
        }
        let type = "Feature"
        let properties: Properties
        let geometry: Geometry
    }

    static func answer(for incident: IncidentRecord, home subcircuit: String?, jurisdictions: Jurisdictions) -> Answer {
        let code = incident.subcircuitCode ?? subcircuit
        var features: [Feature] = []
        if let code, let area = jurisdictions.area(code) {
            features.append(feature(area, role: "subcircuito"))
            features += jurisdictions.neighbourAreas(of: code).map { feature($0, role: "vecino") }
        }
        let upc = jurisdictions.upcSite(incident.upcCode).map {
            UPC(codigo: $0.code.rawValue, nombre: $0.name, latitud: $0.position.latitude,
                longitud: $0.position.longitude, telefono: $0.phone,
                telefonoNacional: (try? PhoneLine($0.phone))?.nationalFormat ?? $0.phone)
        }
        return Answer(subcircuito: code, territorio: FeatureCollection(features: features), upc: upc)
    }

    private static func feature(_ area: SubcircuitArea, role: String) -> Feature {
        func round(_ v: Double) -> Double { (v * 1_000_000).rounded() / 1_000_000 }
        let coordinates = area.geometry.polygons.map { polygon in
            ([polygon.exterior] + polygon.holes).map { ring in ring.map { [round($0.longitude), round($0.latitude)] } }
        }
        return Feature(properties: .init(papel: role, codigo: area.code.rawValue, nombre: area.name,
                                         upc: area.upc.rawValue),
                       geometry: .init(coordinates: coordinates))
    }

    /// The console page's Content-Security-Policy: the site's own, with images also from the tile host when base
    /// tiles are configured (nothing else is ever loaded from elsewhere).
    static func contentSecurityPolicy(tileSource: String?) -> String {
        guard let tileSource else { return SecurityHeaders.contentSecurityPolicy }
        return SecurityHeaders.contentSecurityPolicy.replacingOccurrences(
            of: "img-src 'self' data:", with: "img-src 'self' data: \(tileSource)")
    }
}
