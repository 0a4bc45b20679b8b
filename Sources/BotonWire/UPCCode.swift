/// The code of the UPC (*Unidad de Policía Comunitaria*) that took an alert, as an acknowledgement carries it:
/// 1–16 printable ASCII characters (0x21–0x7E), left-aligned, zero padded (bytes 32..<48), e.g.
/// `"UPC-17D04C01S01"`. Held inline; only ``text`` allocates.
public struct UPCCode: Hashable, Sendable, CustomStringConvertible {
    let raw: Bytes16

    /// Nil unless `text` is 1–16 printable ASCII characters without spaces.
    public init?(_ text: String) {
        let utf8 = text.utf8
        guard (1 ... 16).contains(utf8.count), utf8.allSatisfy({ (0x21 ... 0x7e).contains($0) }) else { return nil }
        var padded: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &padded) { out in
            for (index, unit) in utf8.enumerated() { out[index] = unit }
        }
        raw = withUnsafeBytes(of: &padded) { $0.wireBytes16(at: 0) }
    }

    init(validated raw: Bytes16) {
        self.raw = raw
    }

    /// Nil for 16 zero bytes (no UPC); throws ``WireError/badUPCCode`` for anything but printable ASCII followed
    /// by zero padding.
    static func decode(_ raw: Bytes16) throws(WireError) -> UPCCode? {
        var count = 0
        while count < 16, raw[count] != 0 {
            guard (0x21 ... 0x7e).contains(raw[count]) else { throw .badUPCCode }
            count += 1
        }
        for index in count ..< 16 where raw[index] != 0 { throw .badUPCCode }
        return count == 0 ? nil : UPCCode(validated: raw)
    }

    /// The code, e.g. `"UPC-17D04C01S01"`.
    public var text: String {
        String(unsafeUninitializedCapacity: 16) { out in
            var count = 0
            while count < 16, raw[count] != 0 {
                out[count] = raw[count]
                count += 1
            }
            return count
        }
    }

    public var description: String { text }
}
