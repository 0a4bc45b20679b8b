internal import BotonCrypto

/// The MAC rule shared by every authenticated frame: the first 16 bytes of HMAC-SHA256(key, every byte before the
/// MAC). The MAC always occupies the last 16 bytes, so it covers the header (magic, version, kind) too.
enum FrameMAC {
    static let length = 16

    /// Writes the MAC of `bytes[0 ..< macOffset]` into `bytes[macOffset ..< macOffset + 16]`. No allocation.
    static func seal(_ bytes: UnsafeMutableRawBufferPointer, macOffset: Int, key: UnsafeRawBufferPointer) {
        var full: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &full) { digest in
            Digest.hmacSHA256(key: key, data: UnsafeRawBufferPointer(rebasing: bytes[0 ..< macOffset]), into: digest)
            UnsafeMutableRawBufferPointer(rebasing: bytes[macOffset ..< macOffset + length])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: digest[0 ..< length]))
        }
    }

    /// True when `bytes[macOffset ..< macOffset + 16]` is the MAC of `bytes[0 ..< macOffset]` under `key`,
    /// compared in constant time. No allocation.
    static func matches(_ bytes: UnsafeRawBufferPointer, macOffset: Int, key: UnsafeRawBufferPointer) -> Bool {
        var full: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &full) { digest in
            Digest.hmacSHA256(key: key, data: UnsafeRawBufferPointer(rebasing: bytes[0 ..< macOffset]), into: digest)
            return Digest.constantTimeEqual(UnsafeRawBufferPointer(rebasing: digest[0 ..< length]),
                                            UnsafeRawBufferPointer(rebasing: bytes[macOffset ..< macOffset + length]))
        }
    }
}
