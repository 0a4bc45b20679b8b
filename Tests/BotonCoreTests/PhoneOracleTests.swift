import BotonTestSupport
import Testing
@testable import BotonCore

/// PhoneLine must agree with Google's libphonenumber (Python `phonenumbers`, region EC): accepted exactly
/// when `parse(s, "EC")` succeeds with country code 593, `is_valid_number` holds and `number_type` is
/// FIXED_LINE (→ fijo) or MOBILE (→ celular); same E.164, national and international formats.
///
/// FIXED_LINE_OR_MOBILE cannot happen for Ecuador (landlines start 2–7, mobiles 9); the test asserts the
/// oracle never reports it, so a metadata change that introduces it fails here instead of being guessed.
///
/// Domain of the generated inputs — what a person types into a phone field: ASCII digits; spaces, `-`, `.`,
/// `(`, `)` as separators; a `+` only before the first digit (mostly one, a few `++` and `+ +`). National
/// significant numbers of every leading digit 0–9 and lengths 6–13, plus Ecuadorian shapes (mobiles over all
/// 9x prefixes, landlines over all area codes, VoIP x890, toll free 1800/1700, 7-digit local numbers),
/// written with a trunk 0 or not, with 593, +593, 00593, +593 0, +00593, and a few foreign codes (+1, +51,
/// +57, +34, 0051, +999, +0). Letters and other symbols are outside the domain (we reject them as
/// `characters`; libphonenumber would strip or convert some).
@Suite struct PhoneOracleTests {
    struct Verdict: Decodable {
        let category: String
        let e164: String?
        let national: String?
        let international: String?
    }

    static func nationalNumber(rng: inout SplitMix64) -> [UInt8] {
        switch rng.int(0...99) {
        case 0..<30:  // mobile shapes, every second/third digit
            return [9] + rng.digits(8)
        case 30..<55:  // landline shapes, every area code and first subscriber digit
            return [UInt8(rng.int(2...7))] + rng.digits(7)
        case 55..<60:  // VoIP x890
            return [UInt8(rng.int(2...7)), 8, 9, 0] + rng.digits(4)
        case 60..<65:  // toll free and 1xx
            return rng.pick([[1, 8, 0, 0] + rng.digits(7), [1, 8, 0, 0] + rng.digits(6), [1, 7, 0, 0] + rng.digits(6),
                             [1] + rng.digits(rng.int(2...11))])
        case 65..<70:  // local 7-digit landline
            return [UInt8(rng.int(2...7))] + rng.digits(6)
        default:  // anything: leading digit 0–9, length 6–13
            return [UInt8(rng.int(0...9))] + rng.digits(rng.int(5...12))
        }
    }

    static func prefixed(_ nsn: [UInt8], rng: inout SplitMix64) -> String {
        let n = digitString(nsn)
        switch rng.int(0...99) {
        case 0..<30: return "0" + n
        case 30..<45: return n
        case 45..<55: return "593" + n
        case 55..<72: return "+593" + n
        case 72..<76: return "00593" + n
        case 76..<80: return "+5930" + n
        case 80..<82: return "+00593" + n
        case 82..<84: return "5930" + n
        case 84..<86: return "00" + n
        case 86..<88: return "+0" + n
        case 88..<90: return "+" + n
        case 90..<92: return "++593" + n
        case 92..<93: return "+ +593" + n
        default: return rng.pick(["+1", "+51", "+57", "+34", "0051", "+999", "001", "+59", "+5"]) + n
        }
    }

    /// Splits the digits into groups with separators, sometimes parentheses around the first group.
    static func format(_ raw: String, rng: inout SplitMix64) -> String {
        guard rng.chance(0.7) else { return raw }
        let separators = [" ", "-", ".", " ", "  ", " - "]
        let sep = rng.pick(separators)
        var out = rng.chance(0.1) ? rng.pick([" ", "(", "  "]) : ""
        var chars = Array(raw)
        var plusPart = ""
        while let c = chars.first, c == "+" || c == " " { plusPart.append(c); chars.removeFirst() }
        if !plusPart.isEmpty { out += plusPart + (rng.chance(0.3) ? " " : "") }
        var i = 0
        var first = true
        while i < chars.count {
            let len = min(chars.count - i, rng.int(1...4))
            let group = String(chars[i..<(i + len)])
            if first && rng.chance(0.25) { out += "(" + group + ")" } else { out += group }
            first = false
            i += len
            if i < chars.count { out += rng.chance(0.2) ? rng.pick(separators) : sep }
        }
        if rng.chance(0.1) { out += rng.pick([" ", ")", "-", ".", "  "]) }
        return out
    }

    static func generate(count: Int) -> [String] {
        var rng = SplitMix64(seed: 0x593_0002)
        var inputs = ["099 123 4567", "0991234567", "02-234-5678", "(02) 2345678", "+593 99 123 4567", "593991234567",
                      "+593 2 234 5678", "099.123.4567", "(+593) 99-123-4567", "00593 99 123 4567", "2345678",
                      "1800 123 456", "1800 123 4567", "02 890 1234", "911", "101", "+1 202 555 0123", "+51 987 654 321",
                      "", " ", "+", "()", "0", "09", "099", "+593", "+5930", "593", "0059", "00", "+00593991234567",
                      "964012345", "0964312345", "0933123456", "0931123456", "0958123456", "0951123456",
                      String(repeating: "9", count: 20), "0" + String(repeating: "2", count: 18)]
        // Every 3-digit mobile prefix 90x…99x and every 2-digit landline prefix, national format.
        for p in 0...99 { inputs.append("09\(p / 10)\(p % 10)" + digitString(rng.digits(6))) }
        for p in 20...79 { inputs.append("0\(p)" + digitString(rng.digits(6))) }
        while inputs.count < count {
            let nsn = nationalNumber(rng: &rng)
            inputs.append(format(prefixed(nsn, rng: &rng), rng: &rng))
        }
        return inputs
    }

    @Test func agreesWithLibphonenumber() throws {
        let inputs = Self.generate(count: 24_000)
        let verdicts = try PythonOracle.run("phone_oracle.py", inputs: inputs, as: [Verdict].self)
        try #require(verdicts.count == inputs.count)
        var mismatches: [String] = []
        var byKind: [String: Int] = [:]
        var categories: [String: Int] = [:]
        var reasons: [String: Int] = [:]
        for (input, v) in zip(inputs, verdicts) {
            categories[v.category, default: 0] += 1
            let ours: Result<PhoneLine, PhoneLineError> = Result { () throws(PhoneLineError) in try PhoneLine(input) }
            switch ours {
            case .success(let line):
                guard v.category == line.kind.rawValue, v.e164 == line.e164, v.national == line.nationalFormat,
                      v.international == line.internationalFormat else {
                    mismatches.append("\(input.debugDescription): ours \(line.kind) \(line.e164) "
                        + "«\(line.nationalFormat)» «\(line.internationalFormat)», libphonenumber \(v.category) "
                        + "\(v.e164 ?? "-") «\(v.national ?? "-")» «\(v.international ?? "-")»")
                    continue
                }
                byKind[line.kind.rawValue, default: 0] += 1
            case .failure(let e):
                reasons[e.reason, default: 0] += 1
                if v.e164 != nil {
                    mismatches.append("\(input.debugDescription): ours rejects (\(e.reason)), libphonenumber "
                        + "\(v.category) \(v.e164 ?? "")")
                } else if v.category == "service", e.kind != .service {
                    mismatches.append("\(input.debugDescription): libphonenumber says service, ours \(e.reason)")
                } else if v.category == "foreign" || v.category == "parse_error:0", e.kind != .country {
                    mismatches.append("\(input.debugDescription): libphonenumber \(v.category), ours \(e.reason)")
                }
            }
        }
        let summary = { (d: [String: Int]) in d.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
        print("phone oracle: \(inputs.count) inputs; accepted by both with same kind/E.164/formats: \(summary(byKind)); "
            + "rejected by both: \(inputs.count - byKind.values.reduce(0, +) - mismatches.count) "
            + "(ours: \(summary(reasons))); libphonenumber categories: \(summary(categories)); "
            + "\(mismatches.count) mismatches")
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first ones:\n\(mismatches.prefix(30).joined(separator: "\n"))")
        #expect(categories["fijo_o_celular"] == nil, "FIXED_LINE_OR_MOBILE appeared for EC: decide its kind")
        #expect((byKind["fijo"] ?? 0) > 2_000 && (byKind["celular"] ?? 0) > 2_000)
        #expect(Set(reasons.keys) == Set(PhoneLineError.Reason.allCases.map(\.rawValue)))
    }
}
