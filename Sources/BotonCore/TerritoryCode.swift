/// Codes of the police territory (Acuerdo Ministerial 0154, Art. 90): zona › subzona › distrito › circuito ›
/// subcircuito.
///
/// A subcircuito code such as `06D01C06S02` nests every parent but the zona: the first two digits are the INEC
/// province code (the subzona), `D01` the distrito within it, `C06` the circuito, `S02` the subcircuito. The zona
/// cannot be derived from a code (the Quito and Guayaquil districts form zonas 9 and 8 of their own), so it comes
/// from the territory data.
///
/// All code types store their canonical ASCII text, which Swift keeps inline (no allocation) for up to 15 bytes.

/// Why a territory code was rejected.
public struct TerritoryCodeError: ValidationError, Equatable {
    public enum Reason: String, Sendable {
        /// Wrong number of characters.
        case length
        /// A character that does not belong at its position.
        case format
        /// The province (subzona) part is not an INEC province code 01–24.
        case province
        /// A number part is 00.
        case number
        /// A zona outside 1–9.
        case zone
    }
    public let field: String
    public let kind: Reason
    public let input: String
    public var reason: String { kind.rawValue }

    public init(field: String, kind: Reason, input: String) {
        self.field = field
        self.kind = kind
        self.input = input
    }

    public var mensaje: String {
        let nombre: String
        switch field {
        case "zona": nombre = "La zona"
        case "subzona": nombre = "La subzona"
        case "distrito": nombre = "El código de distrito"
        case "circuito": nombre = "El código de circuito"
        case "upc": nombre = "El código de UPC"
        default: nombre = "El código de subcircuito"
        }
        switch kind {
        case .length: return "\(nombre) «\(input)» no tiene la longitud correcta."
        case .format: return "\(nombre) «\(input)» no tiene el formato esperado (por ejemplo 06D01C06S02)."
        case .province: return "\(nombre) «\(input)» no corresponde a una provincia del Ecuador (01 a 24)."
        case .number: return "\(nombre) «\(input)» tiene un número 00, que no existe."
        case .zone: return "\(nombre) «\(input)» no existe: las zonas van de la 1 a la 9."
        }
    }
}

/// A police zona, `ZONA 1` … `ZONA 9`. Accepts `ZONA 6` (any case) or the bare number `6`.
public struct ZoneCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let number: Int
    public init(number: Int) throws(TerritoryCodeError) {
        guard (1...9).contains(number) else {
            throw TerritoryCodeError(field: "zona", kind: .zone, input: String(number))
        }
        self.number = number
    }
    public init(_ text: String) throws(TerritoryCodeError) {
        var t = Substring(text.uppercased())
        if t.hasPrefix("ZONA ") { t = t.dropFirst(5) }
        guard !t.isEmpty, t.utf8.count <= 2, t.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = Int(t) else {
            throw TerritoryCodeError(field: "zona", kind: .format, input: text)
        }
        guard (1...9).contains(n) else { throw TerritoryCodeError(field: "zona", kind: .zone, input: text) }
        self.number = n
    }
    public var description: String { "ZONA \(number)" }
    public static func < (a: Self, b: Self) -> Bool { a.number < b.number }
}

/// A subzona: the INEC province code, `01` … `24`.
public struct SubzoneCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ text: String) throws(TerritoryCodeError) {
        let u = Array(text.utf8)
        guard u.count == 2 else { throw TerritoryCodeError(field: "subzona", kind: .length, input: text) }
        guard let n = TerritoryCodeParser.twoDigits(u, 0) else {
            throw TerritoryCodeError(field: "subzona", kind: .format, input: text)
        }
        guard (1...24).contains(n) else { throw TerritoryCodeError(field: "subzona", kind: .province, input: text) }
        rawValue = text
    }
    fileprivate init(unchecked: String) { rawValue = unchecked }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A distrito, `06D01`.
public struct DistrictCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ text: String) throws(TerritoryCodeError) {
        try TerritoryCodeParser.check(text, field: "distrito", parts: 1)
        rawValue = text
    }
    fileprivate init(unchecked: String) { rawValue = unchecked }
    public var subzone: SubzoneCode { SubzoneCode(unchecked: String(rawValue.prefix(2))) }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A circuito, `06D01C06`.
public struct CircuitCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ text: String) throws(TerritoryCodeError) {
        try TerritoryCodeParser.check(text, field: "circuito", parts: 2)
        rawValue = text
    }
    fileprivate init(unchecked: String) { rawValue = unchecked }
    public var district: DistrictCode { DistrictCode(unchecked: String(rawValue.prefix(5))) }
    public var subzone: SubzoneCode { district.subzone }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A subcircuito, `06D01C06S02`: the smallest unit of the territory, each served by one UPC.
public struct SubcircuitCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ text: String) throws(TerritoryCodeError) {
        try TerritoryCodeParser.check(text, field: "subcircuito", parts: 3)
        rawValue = text
    }
    public var circuit: CircuitCode { CircuitCode(unchecked: String(rawValue.prefix(8))) }
    public var district: DistrictCode { circuit.district }
    public var subzone: SubzoneCode { circuit.subzone }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The code of a UPC (Unidad de Policía Comunitaria): `UPC-` and the code of the first subcircuito it serves.
public struct UPCCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ text: String) throws(TerritoryCodeError) {
        guard text.hasPrefix("UPC-") else {
            throw TerritoryCodeError(field: "upc", kind: .format, input: text)
        }
        do {
            _ = try SubcircuitCode(String(text.dropFirst(4)))
        } catch {
            throw TerritoryCodeError(field: "upc", kind: error.kind, input: text)
        }
        rawValue = text
    }
    public init(serving first: SubcircuitCode) { rawValue = "UPC-" + first.rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

enum TerritoryCodeParser {
    static func twoDigits(_ u: [UInt8], _ i: Int) -> Int? {
        let a = u[i], b = u[i + 1]
        guard (0x30...0x39).contains(a), (0x30...0x39).contains(b) else { return nil }
        return Int(a - 0x30) * 10 + Int(b - 0x30)
    }

    /// `PP` then `parts` groups of a letter (D, C, S in that order) and two digits.
    static func check(_ text: String, field: String, parts: Int) throws(TerritoryCodeError) {
        let u = Array(text.utf8)
        guard u.count == 2 + 3 * parts else { throw TerritoryCodeError(field: field, kind: .length, input: text) }
        guard let province = twoDigits(u, 0) else { throw TerritoryCodeError(field: field, kind: .format, input: text) }
        let letters: [UInt8] = [UInt8(ascii: "D"), UInt8(ascii: "C"), UInt8(ascii: "S")]
        for p in 0..<parts {
            let at = 2 + 3 * p
            guard u[at] == letters[p], let n = twoDigits(u, at + 1) else {
                throw TerritoryCodeError(field: field, kind: .format, input: text)
            }
            guard n > 0 else { throw TerritoryCodeError(field: field, kind: .number, input: text) }
        }
        guard (1...24).contains(province) else { throw TerritoryCodeError(field: field, kind: .province, input: text) }
    }
}
