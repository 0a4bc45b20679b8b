/// Byte classes from RFC 9110 / RFC 9112 and small ASCII helpers. Internal.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let percent: UInt8 = 0x25
    static let plus: UInt8 = 0x2B
    static let question: UInt8 = 0x3F
    static let hash: UInt8 = 0x23
    static let equals: UInt8 = 0x3D
    static let ampersand: UInt8 = 0x26

    /// `tchar` (RFC 9110 §5.6.2): the characters of a token (methods, header names), as bit masks of bytes 0–63
    /// and 64–127 (digits, letters and `!#$%&'*+-.^_`|~`); the tests check them against the RFC's list.
    static let tcharLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tcharHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    static func isTokenChar(_ byte: UInt8) -> Bool {
        byte < 64 ? (tcharLow >> UInt64(byte)) & 1 == 1
            : byte < 128 ? (tcharHigh >> UInt64(byte - 64)) & 1 == 1 : false
    }

    /// Whether every UTF-8 byte of `text` satisfies `test`, read from the string's contiguous storage when it has
    /// one (native strings do; iterating the UTF-8 view byte by byte is several times slower).
    @inline(__always)
    static func allBytes(of text: String, _ test: (UInt8) -> Bool) -> Bool {
        if let answer = text.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(test) }) { return answer }
        return text.utf8.allSatisfy(test)
    }

    /// `VCHAR`: visible US-ASCII, 0x21–0x7E.
    static func isVisible(_ byte: UInt8) -> Bool { byte >= 0x21 && byte <= 0x7E }

    /// `field-vchar` (VCHAR or obs-text 0x80–0xFF).
    static func isFieldVisible(_ byte: UInt8) -> Bool { isVisible(byte) || byte >= 0x80 }

    /// SP or HTAB (`OWS` characters).
    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The value of a hexadecimal digit, or nil.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte + 0x20 : byte
    }

    /// ASCII case-insensitive equality (header names, tokens). Non-ASCII bytes must match exactly.
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        let fast = left.withContiguousStorageIfAvailable { l in
            right.withContiguousStorageIfAvailable { r in
                for index in 0 ..< l.count where lowercased(l[index]) != lowercased(r[index]) { return false }
                return true
            }
        }
        if let fast, let answer = fast { return answer }
        for (a, b) in zip(left, right) where lowercased(a) != lowercased(b) { return false }
        return true
    }

    /// `slice` without leading and trailing SP/HTAB.
    static func trimmingBlanks(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = slice.startIndex
        var end = slice.endIndex
        while start < end, isBlank(slice[start]) { start += 1 }
        while end > start, isBlank(slice[end - 1]) { end -= 1 }
        return slice[start..<end]
    }

    /// `string` without leading and trailing SP/HTAB.
    static func trimmingBlanks(_ string: Substring) -> Substring {
        var result = string
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }

    /// The bytes as a String: UTF-8 when valid, otherwise ISO-8859-1 (one scalar per byte), so nothing is lost.
    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        if let utf8 = UTF8Text.decode(bytes) { return utf8 }
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
