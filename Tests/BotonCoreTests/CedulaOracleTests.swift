import BotonTestSupport
import Testing
@testable import BotonCore

/// Cedula must accept exactly what python-stdnum's `stdnum.ec.ci.is_valid` accepts, with the same compact
/// number. Domain of the generated inputs: digit strings of length 0–13 built around real cédulas (computed
/// check digit, off-by-one check digits, every province 00–99, every third digit), random digits, letters,
/// and separators (ASCII spaces, dashes, dots, tabs/newlines at the ends, Unicode spaces and dashes,
/// full-width digits).
@Suite struct CedulaOracleTests {
    struct Verdict: Decodable {
        let valid: Bool
        let compact: String?
    }

    static let validProvinces = Array(1...24) + [30, 50]

    static func cedula(province: Int, third: Int, rng: inout SplitMix64) -> [UInt8] {
        var d: [UInt8] = [UInt8(province / 10), UInt8(province % 10), UInt8(third)] + rng.digits(6)
        d.append(Cedula.checkDigit(for: d))
        return d
    }

    static func decorate(_ digits: [UInt8], rng: inout SplitMix64) -> String {
        let separators: [String] = [" ", "-", ".", "  ", " - ", "\u{00A0}", "\u{2013}", "\u{2212}", "\u{FF0D}",
                                    "\u{3000}", "\t", "/", "_"]
        var out = ""
        if rng.chance(0.2) { out += rng.pick([" ", "\t", "\n", "\u{2028}", "  "]) }
        for (i, d) in digits.enumerated() {
            if rng.chance(0.04) {
                out.unicodeScalars.append(Unicode.Scalar(0xFF10 + UInt32(d))!)  // full-width digit
            } else {
                out += String(d)
            }
            if i < digits.count - 1, rng.chance(0.15) { out += rng.pick(separators) }
        }
        if rng.chance(0.2) { out += rng.pick([" ", "\t", "\r\n", "-", "  "]) }
        return out
    }

    static func generate(count: Int) -> [String] {
        var rng = SplitMix64(seed: 0xEC_2024_0001)
        var inputs: [String] = []
        // Coverage first: every province code and every third digit on a correctly checked number.
        for p in 0...99 { inputs.append(digitString(cedula(province: p, third: rng.int(0...5), rng: &rng))) }
        for t in 0...9 { inputs.append(digitString(cedula(province: 17, third: t, rng: &rng))) }
        inputs += ["", " ", "-", "1714307103", "171430710-3", "1714307104", "171430710", "17143071033",
                   "１７１４３０７１０３", "\t1714307103\n", "17 1430 7103", "17.143.071.03", "171430710O",
                   "1710034065", "0102030405", "3012345678", "5012345675"]
        while inputs.count < count {
            var d: [UInt8]
            switch rng.int(0...99) {
            case 0..<30:
                d = cedula(province: rng.pick(validProvinces), third: rng.int(0...6), rng: &rng)
            case 30..<45:  // off-by-one check digit
                d = cedula(province: rng.pick(validProvinces), third: rng.int(0...6), rng: &rng)
                d[9] = UInt8((Int(d[9]) + rng.pick([1, 9])) % 10)
            case 45..<60:  // any province, any third digit, correct check digit
                d = cedula(province: rng.int(0...99), third: rng.int(0...9), rng: &rng)
            case 60..<70:
                d = rng.digits(10)
            case 70..<85:  // wrong lengths
                let base = cedula(province: rng.pick(validProvinces), third: rng.int(0...6), rng: &rng)
                let n = rng.int(0...13)
                d = n <= 10 ? Array(base.prefix(n)) : base + rng.digits(n - 10)
            default:  // letters
                var s = Array(digitString(cedula(province: rng.pick(validProvinces), third: rng.int(0...6), rng: &rng)))
                let letter = rng.pick(["A", "O", "l", "x", "ñ", "É", "I"] as [Character])
                if rng.chance(0.5) { s[rng.int(0...9)] = letter } else { s.insert(letter, at: rng.int(0...10)) }
                inputs.append(rng.chance(0.3) ? String(s) + " " : String(s))
                continue
            }
            inputs.append(rng.chance(0.45) ? decorate(d, rng: &rng) : digitString(d))
        }
        return inputs
    }

    @Test func agreesWithStdnum() throws {
        let inputs = Self.generate(count: 24_000)
        let verdicts = try PythonOracle.run("cedula_oracle.py", inputs: inputs, as: [Verdict].self)
        try #require(verdicts.count == inputs.count)
        var mismatches: [String] = []
        var accepted = 0, rejected = 0
        var reasons: [String: Int] = [:]
        for (input, verdict) in zip(inputs, verdicts) {
            let ours: Result<Cedula, CedulaError> = Result { () throws(CedulaError) in try Cedula(input) }
            switch (ours, verdict.valid) {
            case (.success(let c), true):
                if c.number == verdict.compact { accepted += 1 } else {
                    mismatches.append("\(input.debugDescription): ours \(c.number), stdnum \(verdict.compact ?? "nil")")
                }
            case (.failure(let e), false):
                rejected += 1
                reasons[e.reason, default: 0] += 1
            case (.success(let c), false):
                mismatches.append("\(input.debugDescription): ours accepts (\(c.number)), stdnum rejects")
            case (.failure(let e), true):
                mismatches.append("\(input.debugDescription): ours rejects (\(e.reason)), stdnum accepts \(verdict.compact ?? "")")
            }
        }
        print("cedula oracle: \(inputs.count) inputs, \(accepted) accepted by both with the same number, "
            + "\(rejected) rejected by both (\(reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), \(mismatches.count) mismatches")
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first ones:\n\(mismatches.prefix(30).joined(separator: "\n"))")
        // The generator must actually exercise both sides and every reason.
        #expect(accepted > 5_000)
        #expect(Set(reasons.keys) == Set(CedulaError.Reason.allCases.map(\.rawValue)))
    }
}
