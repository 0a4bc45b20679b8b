/// The line a carrier gateway saw calling 135: E.164 digits without `+`, as ASCII, left-aligned and zero padded to
/// 16 bytes (bytes 40..<56 of a gateway frame). Held inline; only ``digits`` and ``e164`` allocate.
public struct CallingLine: Hashable, Sendable, CustomStringConvertible {
    /// Valid numbers of digits (E.164 allows at most 15).
    public static let digitCountRange = 8 ... 15

    let raw: Bytes16

    /// From E.164 digits, with or without a leading `+` (`"59322345678"`, `"+59322345678"`). Throws
    /// ``WireError/badLine`` unless there are 8–15 ASCII digits and the first is 1–9.
    public init(e164 text: String) throws(WireError) {
        var utf8 = Substring(text).utf8[...]
        if utf8.first == UInt8(ascii: "+") { utf8 = utf8.dropFirst() }
        guard Self.digitCountRange.contains(utf8.count) else { throw .badLine }
        var padded: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &padded) { out in
            for (index, unit) in utf8.enumerated() { out[index] = unit }
        }
        let raw = withUnsafeBytes(of: &padded) { $0.wireBytes16(at: 0) }
        try Self.validate(raw)
        self.raw = raw
    }

    init(validated raw: Bytes16) {
        self.raw = raw
    }

    /// 8–15 ASCII digits, the first 1–9, then only zero bytes.
    static func validate(_ raw: Bytes16) throws(WireError) {
        var count = 0
        while count < 16, raw[count] != 0 {
            let unit = raw[count]
            guard unit >= 0x30, unit <= 0x39, count > 0 || unit != 0x30 else { throw .badLine }
            count += 1
        }
        guard digitCountRange.contains(count) else { throw .badLine }
        for index in count ..< 16 where raw[index] != 0 { throw .badLine }
    }

    /// Number of digits (8–15). No allocation.
    public var digitCount: Int {
        var count = 0
        while count < 16, raw[count] != 0 { count += 1 }
        return count
    }

    /// The digits without `+`, e.g. `"59322345678"`.
    public var digits: String {
        String(unsafeUninitializedCapacity: 16) { out in
            let count = digitCount
            for index in 0 ..< count { out[index] = raw[index] }
            return count
        }
    }

    /// The number in E.164 form, e.g. `"+59322345678"`.
    public var e164: String { "+" + digits }

    public var description: String { e164 }
}
