/// Why a position was rejected.
public struct GeoPositionError: ValidationError, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        case latitude, longitude, accuracy
    }
    public let kind: Reason
    public init(_ kind: Reason) { self.kind = kind }
    public var field: String { "posicion" }
    public var reason: String { kind.rawValue }
    public var mensaje: String {
        switch kind {
        case .latitude: return "La latitud de la ubicación no es válida (debe estar entre -90 y 90)."
        case .longitude: return "La longitud de la ubicación no es válida (debe estar entre -180 y 180)."
        case .accuracy: return "La precisión de la ubicación no es válida."
        }
    }
}
