/// Where the citizen's alert stands, as an *acknowledgement with the alert's state* (kind 0x82) tells the phone:
/// the stage (byte 6) and, once a unit is on its way, the unit (bytes 32..<48). Sent only to a `posicion` or
/// `latido` frame that asks for it (``DeviceFrame/wantsAlertStatus``), so a client that never asks never sees it.
/// Held inline; only ``unit`` allocates.
public struct AlertStatus: Hashable, Sendable {
    /// The stage byte. Raw values are the Spanish names used in logs and the simulator's output.
    public enum Stage: String, Sendable, Hashable, CaseIterable {
        /// 0 — the line has no alert in the last 24 hours (incident id 0).
        case ninguna
        /// 1 — stored; no console of the UPC has shown it yet.
        case recibida
        /// 2 — shown on a console of the UPC: the UPC has it.
        case notificada
        /// 3 — an operator took it.
        case tomada
        /// 4 — a unit is on its way (the unit is in bytes 32..<48).
        case despachada
        /// 5 — the UPC closed it.
        case cerrada

        public var wireValue: UInt8 {
            switch self {
            case .ninguna: 0
            case .recibida: 1
            case .notificada: 2
            case .tomada: 3
            case .despachada: 4
            case .cerrada: 5
            }
        }

        public init?(wireValue: UInt8) {
            switch wireValue {
            case 0: self = .ninguna
            case 1: self = .recibida
            case 2: self = .notificada
            case 3: self = .tomada
            case 4: self = .despachada
            case 5: self = .cerrada
            default: return nil
            }
        }
    }

    public let stage: Stage
    let rawUnit: Bytes16

    /// `unit` is the dispatched unit as the operator wrote it; only its first 16 bytes of UTF-8 are sent (cut at a
    /// character boundary, control characters dropped). Nil or empty: no unit.
    public init(stage: Stage, unit: String? = nil) {
        self.stage = stage
        var bytes: [UInt8] = []
        for scalar in (unit ?? "").unicodeScalars where scalar.value >= 0x20 && scalar.value != 0x7f {
            let encoded = Array(String(scalar).utf8)
            guard bytes.count + encoded.count <= 16 else { break }
            bytes += encoded
        }
        rawUnit = Bytes16(bytes: bytes + [UInt8](repeating: 0, count: 16 - bytes.count)) ?? .zero
    }

    init(stage: Stage, rawUnit: Bytes16) {
        self.stage = stage
        self.rawUnit = rawUnit
    }

    /// The unit, nil when none.
    public var unit: String? {
        var bytes: [UInt8] = []
        for index in 0 ..< 16 where rawUnit[index] != 0 { bytes.append(rawUnit[index]) }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// What the app tells the citizen, in Spanish (Ecuador).
    public var mensaje: String {
        switch stage {
        case .ninguna: return "No tiene una alerta en curso."
        case .recibida: return "Su alerta fue recibida. Estamos avisando a la UPC."
        case .notificada: return "La UPC ya tiene su alerta en pantalla."
        case .tomada: return "Un policía de la UPC está atendiendo su alerta."
        case .despachada:
            return unit.map { "Una unidad va en camino: \($0)." } ?? "Una unidad va en camino."
        case .cerrada: return "La UPC cerró su alerta."
        }
    }

    /// Checks bytes 32..<48 of an acknowledgement with state: UTF-8 without control characters, left-aligned,
    /// zero padded (or all zero).
    static func decodeUnit(_ raw: Bytes16) throws(WireError) -> Bytes16 {
        var count = 0
        while count < 16, raw[count] != 0 { count += 1 }
        for index in count ..< 16 where raw[index] != 0 { throw .badAlertStatus }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for index in 0 ..< count { bytes.append(raw[index]) }
        guard let text = String(validating: bytes, as: UTF8.self),
              text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else { throw .badAlertStatus }
        return raw
    }
}
