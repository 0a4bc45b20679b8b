public import BotonCore

/// Why a territory file (or a territory rebuilt from the store) was rejected. Nothing is imported on error.
///
/// - `featureIndex`: position in `features` (nil for errors outside any feature, such as the top-level object).
/// - `field`: JSON path of the offending value, e.g. `features[12].properties.code`,
///   `features[3].geometry.coordinates[0][5]`; `$` is the whole document.
/// - `reason`: stable machine code (``Kind``'s raw value); `mensaje`: Spanish text for the operator;
///   `description`: one English line for the CLI.
public struct TerritoryImportError: ValidationError, Equatable {
    public enum Kind: String, Sendable {
        /// The file could not be read.
        case file
        /// Not valid JSON (unexpected character, bad number or escape, invalid UTF-8, nesting too deep).
        case syntax
        /// The JSON text ends before the document is complete.
        case truncated
        /// The top level is not a GeoJSON FeatureCollection with a `features` array.
        case notFeatureCollection = "not_feature_collection"
        /// A required member is absent.
        case missing
        /// A member has the wrong JSON type.
        case type
        /// A member appears twice in the same object.
        case duplicateKey = "duplicate_key"
        /// A required text is empty.
        case empty
        /// `level` is neither `subcircuito` nor `upc`.
        case level
        /// A territory code (subcircuit, circuit, district, UPC, zone) is malformed.
        case code
        /// The geometry type does not fit the level (subcircuito: Polygon/MultiPolygon; upc: Point).
        case geometryType = "geometry_type"
        /// A ring's last position differs from its first.
        case ringNotClosed = "ring_not_closed"
        /// A ring has fewer than 4 positions, or a polygon has no ring.
        case ringTooShort = "ring_too_short"
        /// A coordinate is not a number, or a position does not have 2 (or 3) numbers.
        case coordinate
        /// A longitude outside −180…180.
        case longitudeRange = "longitude_range"
        /// A latitude outside −90…90.
        case latitudeRange = "latitude_range"
        /// A subcircuit or UPC code appears twice.
        case duplicateCode = "duplicate_code"
        /// A subcircuit names a UPC that is not in the file.
        case unknownUPC = "unknown_upc"
        /// A UPC lists a subcircuit that is not in the file.
        case unknownSubcircuit = "unknown_subcircuit"
        /// Values that must agree do not (circuit vs code, names of one circuit, UPC lists).
        case inconsistent
        /// A phone number that is not E.164 (`+593` and 8 or 9 digits).
        case phone
    }

    public let featureIndex: Int?
    public let field: String
    public let kind: Kind
    /// The offending value or extra context (may be empty).
    public let detail: String

    public init(featureIndex: Int?, field: String, kind: Kind, detail: String) {
        self.featureIndex = featureIndex
        self.field = field
        self.kind = kind
        self.detail = detail
    }

    public var reason: String { kind.rawValue }

    public var mensaje: String {
        let donde = featureIndex.map { "Elemento \($0) (\(field))" } ?? "Archivo de territorio (\(field))"
        let valor = detail.isEmpty ? "" : " «\(detail)»"
        let texto: String
        switch kind {
        case .file: texto = "no se pudo leer el archivo\(valor)."
        case .syntax: texto = "no es JSON válido\(valor)."
        case .truncated: texto = "el archivo termina antes de tiempo: está incompleto."
        case .notFeatureCollection: texto = "no es una FeatureCollection GeoJSON\(valor)."
        case .missing: texto = "falta este dato obligatorio."
        case .type: texto = "tiene un tipo de dato incorrecto\(valor)."
        case .duplicateKey: texto = "la clave aparece dos veces\(valor)."
        case .empty: texto = "está vacío."
        case .level: texto = "el nivel\(valor) no es «subcircuito» ni «upc»."
        case .code: texto = "el código\(valor) no es válido."
        case .geometryType: texto = "el tipo de geometría\(valor) no corresponde al nivel."
        case .ringNotClosed: texto = "el anillo del polígono no está cerrado."
        case .ringTooShort: texto = "el anillo del polígono tiene menos de 4 posiciones."
        case .coordinate: texto = "la coordenada no es numérica o la posición está incompleta\(valor)."
        case .longitudeRange: texto = "la longitud\(valor) está fuera del rango −180 a 180."
        case .latitudeRange: texto = "la latitud\(valor) está fuera del rango −90 a 90."
        case .duplicateCode: texto = "el código\(valor) está repetido."
        case .unknownUPC: texto = "la UPC\(valor) no existe en el archivo."
        case .unknownSubcircuit: texto = "el subcircuito\(valor) no existe en el archivo."
        case .inconsistent: texto = "el dato no concuerda con el resto del territorio\(valor)."
        case .phone: texto = "el teléfono\(valor) no tiene el formato +593 seguido de 8 o 9 dígitos."
        }
        return "\(donde): \(texto)"
    }

    /// English, one line, for the command line.
    public var description: String {
        let at = featureIndex.map { "feature \($0), " } ?? ""
        let what: String
        switch kind {
        case .file: what = "cannot read file"
        case .syntax: what = "invalid JSON"
        case .truncated: what = "unexpected end of file (truncated JSON)"
        case .notFeatureCollection: what = "not a GeoJSON FeatureCollection"
        case .missing: what = "required member missing"
        case .type: what = "wrong JSON type"
        case .duplicateKey: what = "duplicate key"
        case .empty: what = "empty value"
        case .level: what = "unknown level (expected \"subcircuito\" or \"upc\")"
        case .code: what = "invalid code"
        case .geometryType: what = "geometry type does not match level"
        case .ringNotClosed: what = "ring not closed (last position differs from first)"
        case .ringTooShort: what = "ring has fewer than 4 positions"
        case .coordinate: what = "coordinate not numeric or position incomplete"
        case .longitudeRange: what = "longitude outside -180...180"
        case .latitudeRange: what = "latitude outside -90...90"
        case .duplicateCode: what = "duplicate code"
        case .unknownUPC: what = "upc refers to a UPC not in the file"
        case .unknownSubcircuit: what = "UPC lists a subcircuit not in the file"
        case .inconsistent: what = "inconsistent value"
        case .phone: what = "phone is not E.164 (+593 and 8 or 9 digits)"
        }
        return "territory import: \(at)\(field): \(kind.rawValue): \(what)" + (detail.isEmpty ? "" : ": \(detail)")
    }
}
