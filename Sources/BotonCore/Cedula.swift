/// An Ecuadorian cédula de identidad: 10 digits.
///
/// Accepts exactly what python-stdnum's `stdnum.ec.ci.is_valid` accepts (the oracle test checks this), and
/// `number` is then the same string as its `compact`:
///
/// 1. Characters that stdnum treats as a space or a dash (ASCII space and hyphen, no-break and other Unicode
///    spaces, Unicode dashes and minus signs) are removed anywhere; full-width and mathematical digits count as
///    the ASCII digit. Whitespace such as tabs and line breaks is removed only at the ends. Anything else —
///    dots included — is rejected.
/// 2. Exactly 10 digits remain.
/// 3. The first two are a province: `01`–`24`, `30` (Ecuadorians registered abroad) or `50`.
/// 4. The third is `0`–`6` (stdnum's rule; natural persons have 0–5, 6 is accepted too).
/// 5. Módulo 10: digits at even positions (0, 2, …) are doubled, minus 9 when above 9; the sum of all ten,
///    check digit included, is a multiple of 10.
public struct Cedula: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 10 digits, without separators.
    public let number: String

    public init(_ input: String) throws(CedulaError) {
        var digits: [UInt8] = []
        digits.reserveCapacity(10)
        var sawOther = false
        // Scalars that survive the separator removal, as (isDigit, digit value); trailing/leading whitespace
        // is dropped afterwards, like Python's str.strip().
        var kept: [(scalar: Unicode.Scalar, digit: UInt8?)] = []
        kept.reserveCapacity(12)
        for scalar in input.unicodeScalars {
            if CedulaCompaction.isDeleted(scalar) { continue }
            kept.append((scalar, CedulaCompaction.digitValue(scalar)))
        }
        var start = 0
        var end = kept.count
        while start < end, CedulaCompaction.isStripped(kept[start].scalar) { start += 1 }
        while end > start, CedulaCompaction.isStripped(kept[end - 1].scalar) { end -= 1 }
        for i in start..<end {
            if let d = kept[i].digit { digits.append(d) } else { sawOther = true }
        }
        guard !sawOther else { throw CedulaError(.characters) }
        guard digits.count == 10 else { throw CedulaError(.length) }
        let province = Int(digits[0]) * 10 + Int(digits[1])
        guard (1...24).contains(province) || province == 30 || province == 50 else {
            throw CedulaError(.province)
        }
        guard digits[2] <= 6 else { throw CedulaError(.thirdDigit) }
        guard Cedula.checksum(digits) == 0 else { throw CedulaError(.checkDigit) }
        number = String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self)
    }

    /// The check digit that completes nine digits (values 0–9) into a valid cédula.
    public static func checkDigit(for nineDigits: [UInt8]) -> UInt8 {
        precondition(nineDigits.count == 9 && nineDigits.allSatisfy { $0 <= 9 })
        let partial = checksum(nineDigits)
        return UInt8((10 - partial) % 10)
    }

    /// The first two digits: the province where the cédula was issued.
    public var provinceCode: String { String(number.prefix(2)) }

    /// Sum of the folded weighted digits, weights 2, 1, 2, 1, …, modulo 10.
    static func checksum(_ digits: [UInt8]) -> Int {
        var sum = 0
        for (i, d) in digits.enumerated() {
            var x = Int(d) * (i % 2 == 0 ? 2 : 1)
            if x > 9 { x -= 9 }
            sum += x
        }
        return sum % 10
    }

    public static func < (lhs: Cedula, rhs: Cedula) -> Bool { lhs.number < rhs.number }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(number)
    }

    public var description: String { number }
}

/// python-stdnum's input clean-up (`stdnum.util.clean` with `' -'`, then `str.strip()`), as tables of Unicode
/// scalars taken from stdnum 2.2.
enum CedulaCompaction {
    /// Scalars stdnum maps to " " or "-" and then deletes.
    static func isDeleted(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x20, 0xA0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return true  // spaces
        case 0x2D, 0x58A, 0x5BE, 0x2010...0x2015, 0xFE63, 0xFF0D, 0x180A, 0x203E, 0x2043, 0xAF, 0x2D7, 0xFFE3,
             0x1680, 0x207B, 0x208B, 0x2212, 0x23AF, 0x23BA...0x23BD, 0x23E4: return true  // dashes
        default: return false
        }
    }

    /// Python whitespace that survives the deletion; `strip()` removes it at both ends only.
    static func isStripped(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x1F, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// ASCII digits, and the full-width and mathematical digits stdnum maps to them.
    static func digitValue(_ s: Unicode.Scalar) -> UInt8? {
        let v = s.value
        switch v {
        case 0x30...0x39: return UInt8(v - 0x30)
        case 0xFF10...0xFF19: return UInt8(v - 0xFF10)
        case 0x1D7CE...0x1D7FF: return UInt8((v - 0x1D7CE) % 10)
        default: return nil
        }
    }
}
