/// The número de trámite of an enrolment request: `BS-2026-000123-4`.
///
/// - `BS`, the year the request was created (in Ecuador), the request's sequence number within that year
///   (at least six digits, zero-padded), and one check digit.
/// - The check digit is the Damm check digit of the year's and the sequence's digits as printed
///   (`2026000123`): it catches every single mistyped digit and every swap of two adjacent digits, so a typo is
///   answered "revise el número" without a database lookup.
/// - Reading (``init(_:)``) is forgiving: any case, spaces or dashes anywhere, and the zero-padding of the
///   sequence may be left out when the parts are separated (`bs 2026 123 4`). Without separators the digits
///   must be complete (`BS20260001234`).
///
/// Numbers are sequential and so guessable: a número de trámite alone reveals nothing — the status page also
/// asks for the document number.
public struct TramiteNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let sequence: Int

    public static let sequenceRange = 1...999_999_999

    public init?(year: Int, sequence: Int) {
        guard (2000...9999).contains(year), TramiteNumber.sequenceRange.contains(sequence) else { return nil }
        self.year = year
        self.sequence = sequence
    }

    public init(_ input: String) throws(TramiteNumberError) {
        // Uppercase ASCII letters, keep digits; spaces and dashes (any kind) separate groups.
        var groups: [[UInt8]] = [[]]
        for scalar in input.unicodeScalars {
            let v = scalar.value
            if scalar.properties.isWhitespace || v == 0x2D || (0x2010...0x2015).contains(v) || v == 0x2212 {
                if !groups[groups.count - 1].isEmpty { groups.append([]) }
            } else if (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) {
                groups[groups.count - 1].append(UInt8(v))
            } else if (0x61...0x7A).contains(v) {
                groups[groups.count - 1].append(UInt8(v - 0x20))
            } else {
                throw TramiteNumberError(.format)
            }
        }
        if groups.last?.isEmpty == true { groups.removeLast() }
        guard var first = groups.first, first.starts(with: Array("BS".utf8)) else { throw TramiteNumberError(.format) }
        first.removeFirst(2)
        if first.isEmpty { groups.removeFirst() } else { groups[0] = first }
        let isDigit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        guard !groups.isEmpty, groups.allSatisfy({ $0.allSatisfy(isDigit) }) else { throw TramiteNumberError(.format) }
        let yearDigits: [UInt8], sequenceDigits: [UInt8], check: UInt8
        if groups.count == 1 {
            let all = groups[0]
            guard all.count >= 4 + 6 + 1, all.count <= 4 + 9 + 1 else { throw TramiteNumberError(.format) }
            yearDigits = Array(all[0..<4])
            sequenceDigits = Array(all[4..<(all.count - 1)])
            check = all[all.count - 1]
        } else if groups.count == 3 {
            guard groups[0].count == 4, (1...9).contains(groups[1].count), groups[2].count == 1 else {
                throw TramiteNumberError(.format)
            }
            yearDigits = groups[0]
            sequenceDigits = groups[1]
            check = groups[2][0]
        } else {
            throw TramiteNumberError(.format)
        }
        let year = yearDigits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let sequence = sequenceDigits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard let number = TramiteNumber(year: year, sequence: sequence) else { throw TramiteNumberError(.format) }
        guard number.checkDigit == Int(check - 0x30) else { throw TramiteNumberError(.checkDigit) }
        self = number
    }

    /// The sequence as printed: at least six digits.
    var sequenceText: String {
        let s = String(sequence)
        return s.count >= 6 ? s : String(repeating: "0", count: 6 - s.count) + s
    }

    /// Damm check digit of the printed year and sequence digits.
    public var checkDigit: Int { Damm.checkDigit(Array((String(year) + sequenceText).utf8).map { Int($0 - 0x30) }) }

    /// `BS-2026-000123-4`.
    public var text: String { "BS-\(year)-\(sequenceText)-\(checkDigit)" }
    public var description: String { text }

    public static func < (a: TramiteNumber, b: TramiteNumber) -> Bool { (a.year, a.sequence) < (b.year, b.sequence) }
}

/// Why a número de trámite was rejected. `field` is `tramite`.
public struct TramiteNumberError: ValidationError, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        /// Not `BS-AAAA-NNNNNN-D`.
        case format
        /// The shape is right but the last digit does not match: a typo.
        case checkDigit = "check_digit"
    }
    public let kind: Reason
    public init(_ kind: Reason) { self.kind = kind }
    public var field: String { "tramite" }
    public var reason: String { kind.rawValue }
    public var mensaje: String {
        switch kind {
        case .format:
            return "El número de trámite tiene la forma BS-2026-000123-4. Revise que esté completo."
        case .checkDigit:
            return "El número de trámite no es válido: revise que esté bien escrito."
        }
    }
}

/// The Damm algorithm (H. M. Damm, 2004): a check digit from a totally anti-symmetric quasigroup of order 10.
/// Detects all single-digit errors and all adjacent transpositions.
enum Damm {
    static let table: [[Int]] = [
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
        [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
        [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
        [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
        [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
        [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
        [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
        [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
        [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
    ]

    static func checkDigit(_ digits: [Int]) -> Int {
        digits.reduce(0) { table[$0][$1] }
    }
}
