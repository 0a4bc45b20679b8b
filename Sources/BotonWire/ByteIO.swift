// Big-endian field access on raw buffers. Every load and store is unaligned-safe and allocation-free.

extension UnsafeRawBufferPointer {
    func wireUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    func wireUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    func wireInt32(at offset: Int) -> Int32 {
        Int32(bigEndian: loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }

    func wireInt64(at offset: Int) -> Int64 {
        Int64(bigEndian: loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    func wireBytes16(at offset: Int) -> Bytes16 {
        Bytes16(high: wireUInt64(at: offset), low: wireUInt64(at: offset + 8))
    }

    /// True when every byte in `range` is zero.
    func wireIsZero(_ range: Range<Int>) -> Bool {
        var accumulated: UInt8 = 0
        for index in range { accumulated |= self[index] }
        return accumulated == 0
    }
}

extension UnsafeMutableRawBufferPointer {
    func wirePut(_ value: UInt8, at offset: Int) {
        self[offset] = value
    }

    func wirePut(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    func wirePut(_ value: UInt64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }

    func wirePut(_ value: Int32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: Int32.self)
    }

    func wirePut(_ value: Int64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: Int64.self)
    }

    func wirePut(_ value: Bytes16, at offset: Int) {
        wirePut(value.high, at: offset)
        wirePut(value.low, at: offset + 8)
    }

    func wireZero(_ range: Range<Int>) {
        for index in range { self[index] = 0 }
    }
}

/// Sixteen bytes held inline as two big-endian words: `high` is bytes 0..<8, `low` bytes 8..<16.
///
/// The storage behind every fixed 16-byte field (device and gateway ids, calling line, UPC code, MAC), so that
/// decoding never allocates.
struct Bytes16: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    static let zero = Bytes16(high: 0, low: 0)

    /// Byte `index` (0..<16), in wire order.
    subscript(index: Int) -> UInt8 {
        let word = index < 8 ? high : low
        return UInt8(truncatingIfNeeded: word >> (UInt64(7 - index % 8) * 8))
    }

    /// Nil unless `bytes` holds exactly 16 bytes.
    init?<C: Collection<UInt8>>(bytes: C) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The 16 bytes in wire order (allocates; not for the hot path).
    var bytes: [UInt8] { (0..<16).map { self[$0] } }

    /// Lower-case hex of the 16 bytes (32 digits).
    var hex: String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 32) { out in
            digits.withUTF8Buffer { table in
                for index in 0..<16 {
                    let byte = self[index]
                    out[2 * index] = table[Int(byte >> 4)]
                    out[2 * index + 1] = table[Int(byte & 0x0f)]
                }
            }
            return 32
        }
    }

    /// Nil unless `text` is exactly 32 hex digits (either case).
    init?(hex text: String) {
        var high: UInt64 = 0, low: UInt64 = 0, count = 0
        for unit in text.utf8 {
            let nibble: UInt8
            switch unit {
            case 0x30...0x39: nibble = unit - 0x30
            case 0x61...0x66: nibble = unit - 0x61 + 10
            case 0x41...0x46: nibble = unit - 0x41 + 10
            default: return nil
            }
            guard count < 32 else { return nil }
            if count < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
            count += 1
        }
        guard count == 32 else { return nil }
        self.init(high: high, low: low)
    }
}
