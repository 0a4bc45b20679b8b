/// A foreign passport: its number and the issuing country (the holder's nationality).
///
/// - Number: surrounding whitespace is trimmed and letters are uppercased; then only `A`–`Z` and `0`–`9` are
///   allowed, 5 to 20 of them. ICAO 9303 gives the document number 9 characters in the machine-readable
///   zone, but some states issue longer numbers (overflowing into the optional field) and some older ones
///   shorter; 5–20 accepts every real number we know of while rejecting obvious typos.
/// - Nationality: an ISO 3166-1 alpha-2 or alpha-3 code (any case), stored as alpha-2. Ecuador is refused:
///   Ecuadorians enrol with their cédula.
public struct Pasaporte: Sendable, Hashable, CustomStringConvertible {
    /// Allowed length of the number.
    public static let lengthRange = 5...20

    /// The normalized number, `AB12345`.
    public let number: String
    /// The issuing country.
    public let nationality: Country

    public init(number input: String, nationality code: String) throws(PasaporteError) {
        let trimmed = input.trimmingWhitespace()
        var bytes: [UInt8] = []
        for scalar in trimmed.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A: bytes.append(UInt8(scalar.value))
            case 0x61...0x7A: bytes.append(UInt8(scalar.value - 0x20))
            default: throw PasaporteError(.characters)
            }
        }
        guard Pasaporte.lengthRange.contains(bytes.count) else { throw PasaporteError(.length) }
        guard let country = Country(code: code) else { throw PasaporteError(.nationality) }
        guard country.alpha2 != "EC" else { throw PasaporteError(.nationality, isEcuadorian: true) }
        number = String(decoding: bytes, as: UTF8.self)
        nationality = country
    }

    public var description: String { "\(nationality.alpha2):\(number)" }
}
