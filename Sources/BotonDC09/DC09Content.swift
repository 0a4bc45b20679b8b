import BotonCrypto

/// What a message says once its data is in clear: the data field, the extended data fields and the timestamp.
public struct DC09Content: Sendable, Equatable {
    /// Between the `[` (or the pad's `|`) and the first `]`.
    public var data: [UInt8]
    /// Each `[…]` after the data, without its brackets (`X-78.4678`, `Y-0.1807`, `H10:11:12,01-02-2026`).
    public var extended: [[UInt8]]
    /// The `_HH:MM:SS,MM-DD-YYYY` timestamp (GMT) as seconds since 1970, when present.
    public var timestamp: Int64?

    /// A position from the extended data: `X` longitude, `Y` latitude, decimal degrees.
    public var position: (latitude: Double, longitude: Double)? {
        var x: Double?
        var y: Double?
        for field in extended where field.count > 1 {
            let value = Double(String(decoding: field.dropFirst(), as: UTF8.self))
            switch field[0] {
            case UInt8(ascii: "X"): x = value
            case UInt8(ascii: "Y"): y = value
            default: break
            }
        }
        guard let lat = y, let lon = x, (-90...90).contains(lat), (-180...180).contains(lon) else { return nil }
        return (lat, lon)
    }
}

/// Why a message's data could not be read.
public enum DC09ContentError: Error, Sendable, Equatable {
    /// Encrypted, and the site has no key (or the key is not 16, 24 or 32 bytes).
    case noKey
    /// The cipher text is not hexadecimal, or not whole AES blocks.
    case cipherText
    /// Decrypted, but the pad and `|` are not there, or what follows is not text: a wrong key, or bad padding.
    case padding
    /// The fields after the data are not `[…]` and `_timestamp`.
    case syntax
    /// An encrypted message without its timestamp, or one that is not a valid time.
    case timestamp
}

extension DC09Content {
    /// Reads the data of `header`: in clear, or decrypted with `key` (AES-CBC, zero IV; the cleartext starts with
    /// pad bytes that are none of `[`, `]`, `|`, then `|`, unless the data field is empty).
    public static func decode(_ header: DC09Header, key: [UInt8]?) -> Result<DC09Content, DC09ContentError> {
        var clear: ArraySlice<UInt8>
        if header.encrypted {
            guard let key, [16, 24, 32].contains(key.count) else { return .failure(.noKey) }
            guard header.body.count % 32 == 0, !header.body.isEmpty else { return .failure(.cipherText) }
            var cipher: [UInt8] = []
            cipher.reserveCapacity(header.body.count / 2)
            var i = 0
            while i < header.body.count {
                guard let hi = DC09.hexValue(header.body[i]), let lo = DC09.hexValue(header.body[i + 1]) else {
                    return .failure(.cipherText)
                }
                cipher.append(hi << 4 | lo)
                i += 2
            }
            guard let plain = AESCBC.apply(key: key, data: cipher, encrypt: false) else { return .failure(.padding) }
            // The pad ends at the first '|'; without one, the data field is empty and the pad ends at ']'.
            let bar = plain.firstIndex(of: UInt8(ascii: "|"))
            let bracket = plain.firstIndex(of: UInt8(ascii: "]"))
            let start: Int
            if let bar, bracket.map({ bar < $0 }) ?? true {
                start = bar + 1
            } else if let bracket {
                start = bracket
            } else {
                return .failure(.padding)
            }
            guard start > 0, !plain[..<start].contains(UInt8(ascii: "[")) else { return .failure(.padding) }
            clear = plain[start...]
            guard clear.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { return .failure(.padding) }
        } else {
            clear = header.body[...]
            guard clear.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else { return .failure(.syntax) }
        }
        guard let close = clear.firstIndex(of: UInt8(ascii: "]")) else { return .failure(.syntax) }
        var content = DC09Content(data: Array(clear[clear.startIndex..<close]), extended: [], timestamp: nil)
        var rest = clear[(close + 1)...]
        while rest.first == UInt8(ascii: "[") {
            guard let end = rest.firstIndex(of: UInt8(ascii: "]")) else { return .failure(.syntax) }
            content.extended.append(Array(rest[(rest.startIndex + 1)..<end]))
            rest = rest[(end + 1)...]
        }
        if rest.first == UInt8(ascii: "_") {
            guard let time = Self.parseTimestamp(Array(rest.dropFirst())) else { return .failure(.timestamp) }
            content.timestamp = time
        } else if !rest.isEmpty {
            return .failure(.syntax)
        }
        if header.encrypted && content.timestamp == nil { return .failure(.timestamp) }
        return .success(content)
    }

    /// `HH:MM:SS,MM-DD-YYYY` (GMT) as seconds since 1970.
    public static func parseTimestamp(_ b: [UInt8]) -> Int64? {
        guard b.count == 19, b[2] == UInt8(ascii: ":"), b[5] == UInt8(ascii: ":"), b[8] == UInt8(ascii: ","),
              b[11] == UInt8(ascii: "-"), b[14] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard let hour = number(0..<2), let minute = number(3..<5), let second = number(6..<8),
              let month = number(9..<11), let day = number(12..<14), let year = number(15..<19),
              hour < 24, minute < 60, second < 60, (1...12).contains(month), (1...31).contains(day), year >= 1970
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Seconds since 1970 as `HH:MM:SS,MM-DD-YYYY` (GMT).
    public static func formatTimestamp(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = Int(seconds - days * 86_400)
        let (y, m, d) = civilFromDays(days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)),\(two(m))-\(two(d))-\(y)"
    }

    // Howard Hinnant's civil-calendar algorithms.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }
}
