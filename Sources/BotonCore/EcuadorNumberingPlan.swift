/// Ecuador's numbering plan as libphonenumber describes it, and the steps of its `parse(_, "EC")` that matter
/// for input made of digits, separators and a leading `+`. Hand-written matching on digit arrays: no regular
/// expressions.
///
/// Transcribed from `phonenumbers/data/region_EC.py` (phonenumbers 9.0.43):
///
/// | description | pattern | lengths |
/// | --- | --- | --- |
/// | general     | `1\d{9,10}\|(?:[2-7]\|9\d)\d{7}` | 8, 9, 10, 11 (7 local only) |
/// | fixed line  | `[2-7][2-7]\d{6}` | 8 |
/// | mobile      | `964[0-2]\d{5}\|9(?:3[0-29]\|[57][89]\|6[0-36-9]\|[89]\d)\d{6}` | 9 |
/// | toll free   | `1800\d{7}\|1[78]00\d{6}` | 10, 11 |
/// | VoIP        | `[2-7]890\d{4}` | 8 |
///
/// International prefix `00`, national prefix `0` (also the prefix for parsing), country code 593.
/// libphonenumber checks types in the order toll free, VoIP, fixed line, mobile.
enum EcuadorNumberingPlan {
    enum Classification: Equatable {
        case fijo, celular, service, invalid
    }

    /// libphonenumber refuses input longer than this many characters.
    static let maxInputLength = 250
    /// libphonenumber refuses national significant numbers longer than this.
    static let maxNationalLength = 17

    // MARK: Parsing

    /// The national significant number libphonenumber derives from `input` with default region EC, or the
    /// reason it rejects the input before classification.
    static func nationalSignificantNumber(of input: String) throws(PhoneLineError) -> [UInt8] {
        let digits = try lex(input)
        var national: ArraySlice<UInt8>
        if digits.international {
            national = try afterInternationalPrefix(digits.digits[...], plus: true)
        } else {
            let d = digits.digits[...]
            if startsWithIDD(d) {
                national = try afterInternationalPrefix(d, plus: false)
            } else if startsWith593(d) {
                // Without + or 00, a leading 593 is taken as the country code when the rest looks like an
                // Ecuadorian number and the whole does not, or when the whole is too long.
                let potential = stripTrunkPrefix(d.dropFirst(3))
                if (!matchesGeneral(d) && matchesGeneral(potential)) || d.count > 11 {
                    national = potential
                } else {
                    national = d
                }
            } else {
                national = d
            }
        }
        guard national.count >= 2 else { throw PhoneLineError(.length) }
        // The trunk 0 is dropped only if at least 8 digits (a possible, non-local length) remain.
        if national.first == 0, national.count - 1 >= 8 {
            national = national.dropFirst()
        }
        guard national.count <= maxNationalLength else { throw PhoneLineError(.length) }
        return Array(national)
    }

    /// Separators, digits and a leading run of `+`. Returns the digits and whether a `+` was present.
    static func lex(_ input: String) throws(PhoneLineError) -> (digits: [UInt8], international: Bool) {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var pluses = 0
        var plusRunClosed = false
        var count = 0
        for scalar in input.unicodeScalars {
            count += 1
            switch scalar.value {
            case 0x30...0x39:
                digits.append(UInt8(scalar.value - 0x30))
            case 0x2B:  // +
                guard digits.isEmpty, !plusRunClosed else { throw PhoneLineError(.characters) }
                pluses += 1
            case 0x20, 0x2D, 0x2E, 0x28, 0x29:  // space - . ( )
                if pluses > 0 { plusRunClosed = true }
            default:
                throw PhoneLineError(.characters)
            }
        }
        guard !digits.isEmpty else { throw PhoneLineError(.empty) }
        guard count <= maxInputLength else { throw PhoneLineError(.length) }
        return (digits, pluses > 0)
    }

    /// `00` then a digit other than 0 (or nothing): libphonenumber strips it as Ecuador's international prefix.
    static func startsWithIDD(_ d: ArraySlice<UInt8>) -> Bool {
        guard d.count >= 2, d[d.startIndex] == 0, d[d.startIndex + 1] == 0 else { return false }
        return d.count == 2 || d[d.startIndex + 2] != 0
    }

    static func startsWith593(_ d: ArraySlice<UInt8>) -> Bool {
        d.count >= 3 && d[d.startIndex] == 5 && d[d.startIndex + 1] == 9 && d[d.startIndex + 2] == 3
    }

    /// The digits after `+` (or after an international prefix `00`): the country code must be 593.
    /// No shorter country code is a prefix of 593 (5 and 59 are unassigned), so "starts with 593" decides.
    static func afterInternationalPrefix(_ d: ArraySlice<UInt8>, plus: Bool) throws(PhoneLineError)
        -> ArraySlice<UInt8>
    {
        let rest = plus ? d : d.dropFirst(2)
        guard rest.count > 2 else { throw PhoneLineError(.length) }
        if startsWith593(rest) { return rest.dropFirst(3) }
        // `+00…`: no country code starts with 0, so libphonenumber retries without the + and finds the 00.
        if plus, rest.first == 0, startsWithIDD(rest) {
            return try afterInternationalPrefix(rest, plus: false)
        }
        throw PhoneLineError(.country)
    }

    /// libphonenumber's national-prefix stripping for EC: a leading 0 goes (the general pattern never
    /// matches a number that starts with 0, so the "was it viable before" check never keeps it).
    static func stripTrunkPrefix(_ d: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        d.first == 0 ? d.dropFirst() : d
    }

    // MARK: Patterns

    /// `1\d{9,10}|(?:[2-7]|9\d)\d{7}`, lengths 8–11.
    static func matchesGeneral(_ n: ArraySlice<UInt8>) -> Bool {
        guard let first = n.first else { return false }
        switch first {
        case 1: return n.count == 10 || n.count == 11
        case 2...7: return n.count == 8
        case 9: return n.count == 9
        default: return false
        }
    }

    /// `[2-7][2-7]\d{6}`.
    static func isFixedLine(_ n: ArraySlice<UInt8>) -> Bool {
        n.count == 8 && (2...7).contains(n[n.startIndex]) && (2...7).contains(n[n.startIndex + 1])
    }

    /// `964[0-2]\d{5}|9(?:3[0-29]|[57][89]|6[0-36-9]|[89]\d)\d{6}`.
    static func isMobile(_ n: ArraySlice<UInt8>) -> Bool {
        guard n.count == 9, n[n.startIndex] == 9 else { return false }
        let b = n[n.startIndex + 1], c = n[n.startIndex + 2], d = n[n.startIndex + 3]
        switch b {
        case 3: return c <= 2 || c == 9
        case 5, 7: return c == 8 || c == 9
        case 6: return c <= 3 || c >= 6 || (c == 4 && d <= 2)
        case 8, 9: return true
        default: return false
        }
    }

    /// `[2-7]890\d{4}`.
    static func isVoIP(_ n: ArraySlice<UInt8>) -> Bool {
        let i = n.startIndex
        return n.count == 8 && (2...7).contains(n[i]) && n[i + 1] == 8 && n[i + 2] == 9 && n[i + 3] == 0
    }

    /// `1800\d{7}|1[78]00\d{6}`.
    static func isTollFree(_ n: ArraySlice<UInt8>) -> Bool {
        let i = n.startIndex
        switch n.count {
        case 11: return n[i] == 1 && n[i + 1] == 8 && n[i + 2] == 0 && n[i + 3] == 0
        case 10: return n[i] == 1 && (n[i + 1] == 7 || n[i + 1] == 8) && n[i + 2] == 0 && n[i + 3] == 0
        default: return false
        }
    }

    /// libphonenumber's `number_type` for a national significant number, reduced to what we need.
    static func classify(_ nsn: [UInt8]) -> Classification {
        let n = nsn[...]
        guard matchesGeneral(n) else { return .invalid }
        if isTollFree(n) || isVoIP(n) { return .service }
        if isFixedLine(n) { return .fijo }
        if isMobile(n) { return .celular }
        return .invalid
    }

    /// The reason given for a number libphonenumber parses but does not accept as a line. Judged on the
    /// number without a leading 0 that could not be stripped.
    static func rejection(of nsn: [UInt8]) -> PhoneLineError {
        let core = nsn.first == 0 ? nsn.dropFirst() : nsn[...]
        guard let first = core.first else { return PhoneLineError(.length) }
        switch first {
        case 1:
            return PhoneLineError(.service)
        case 2...7:
            if core.count == 7 { return PhoneLineError(.length, missingAreaCode: true) }
            if core.count != 8 { return PhoneLineError(.length) }
            return isVoIP(core) ? PhoneLineError(.service) : PhoneLineError(.prefix)
        case 9:
            return core.count == 9 ? PhoneLineError(.prefix) : PhoneLineError(.length)
        default:
            return PhoneLineError(.prefix)
        }
    }
}
