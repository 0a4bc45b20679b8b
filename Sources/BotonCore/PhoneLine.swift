/// A subscriber phone line in Ecuador, fijo or celular.
///
/// Accepts what people type: `099 123 4567`, `0991234567`, `02-234-5678`, `(02) 2345678`, `+593 99 123 4567`,
/// `593991234567`, `+593 2 234 5678`, `00593 99 123 4567`, with spaces, dashes, dots and parentheses as
/// separators anywhere and `+` only before the first digit.
///
/// The decision agrees with Google's libphonenumber (metadata for region EC, as in the Python `phonenumbers`
/// package 9.0.43): a number is accepted exactly when `parse(input, "EC")` succeeds with country code 593,
/// `is_valid_number` holds, and `number_type` is `FIXED_LINE` (→ `.fijo`) or `MOBILE` (→ `.celular`). The
/// oracle test checks this on generated inputs. Its parsing steps for this input domain are reproduced in
/// the internal `EcuadorNumberingPlan`; its `FIXED_LINE_OR_MOBILE` type cannot occur for Ecuador, whose landline
/// (2–7) and mobile (9) ranges do not overlap.
///
/// Display forms are libphonenumber's: ``nationalFormat`` `099 123 4567` / `(02) 234-5678`,
/// ``internationalFormat`` `+593 99 123 4567` / `+593 2-234-5678`.
public struct PhoneLine: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `+593991234567`: the canonical form, for storage and for SMS gateways.
    public let e164: String
    /// Landline or mobile.
    public let kind: PhoneLineKind
    /// The national significant number: `991234567`, `22345678` (no trunk 0, no country code).
    public let nationalSignificantNumber: String

    public init(_ input: String) throws(PhoneLineError) {
        let nsn = try EcuadorNumberingPlan.nationalSignificantNumber(of: input)
        switch EcuadorNumberingPlan.classify(nsn) {
        case .fijo: kind = .fijo
        case .celular: kind = .celular
        case .service: throw PhoneLineError(.service)
        case .invalid: throw EcuadorNumberingPlan.rejection(of: nsn)
        }
        let text = String(decoding: nsn.map { $0 + 0x30 }, as: UTF8.self)
        nationalSignificantNumber = text
        e164 = "+593" + text
    }

    /// As dialled inside Ecuador: `099 123 4567` (celular), `(02) 234-5678` (fijo).
    public var nationalFormat: String {
        let n = Array(nationalSignificantNumber)
        switch kind {
        case .celular: return "0\(String(n[0..<2])) \(String(n[2..<5])) \(String(n[5...]))"
        case .fijo: return "(0\(n[0])) \(String(n[1..<4]))-\(String(n[4...]))"
        }
    }

    /// As dialled from abroad: `+593 99 123 4567` (celular), `+593 2-234-5678` (fijo).
    public var internationalFormat: String {
        let n = Array(nationalSignificantNumber)
        switch kind {
        case .celular: return "+593 \(String(n[0..<2])) \(String(n[2..<5])) \(String(n[5...]))"
        case .fijo: return "+593 \(n[0])-\(String(n[1..<4]))-\(String(n[4...]))"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }

    public var description: String { e164 }
}
