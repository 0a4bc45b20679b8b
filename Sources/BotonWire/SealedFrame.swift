/// What device and gateway frames share: a fixed length, a 16-byte HMAC at the end, and the ways to decode,
/// verify, encode and fingerprint them built on each kind's own ``decode(_:)-(UnsafeRawBufferPointer)`` and
/// ``encode(secret:into:)``.
public protocol SealedFrame: Hashable, Sendable {
    /// Size of the frame on the wire.
    static var length: Int { get }
    /// Where the MAC starts: it covers bytes 0..<macOffset and fills the rest.
    static var macOffset: Int { get }
    /// Parses the fields (not the MAC). No allocation.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Self
    /// Writes the frame, MAC included, into the start of `buffer` and returns ``length``. No allocation.
    @discardableResult
    func encode(secret: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Int
}

extension SealedFrame {
    /// ``decode(_:)-(UnsafeRawBufferPointer)`` over an array.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Self {
        try withBytes(bytes) { (raw) throws(WireError) in try decode(raw) }
    }

    /// True when `bytes` is ``length`` bytes long and its last 16 bytes are the MAC of the rest under `secret`.
    /// Constant-time comparison; no allocation. Does not parse the fields.
    public static func verify(_ bytes: UnsafeRawBufferPointer, secret: UnsafeRawBufferPointer) -> Bool {
        bytes.count == length && FrameMAC.matches(bytes, macOffset: macOffset, key: secret)
    }

    public static func verify(_ bytes: [UInt8], secret: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { b in secret.withUnsafeBytes { s in verify(b, secret: s) } }
    }

    /// Decode, then verify: a frame that parses but fails the MAC throws ``WireError/badMAC``. No allocation.
    public static func decodeAndVerify(_ bytes: UnsafeRawBufferPointer, secret: UnsafeRawBufferPointer)
        throws(WireError) -> Self
    {
        let frame = try decode(bytes)
        guard verify(bytes, secret: secret) else { throw .badMAC }
        return frame
    }

    public static func decodeAndVerify(_ bytes: [UInt8], secret: [UInt8]) throws(WireError) -> Self {
        try withBytes(bytes) { (raw) throws(WireError) in
            try withBytes(secret) { (key) throws(WireError) in try decodeAndVerify(raw, secret: key) }
        }
    }

    /// The frame's bytes, MAC included.
    public func encode(secret: UnsafeRawBufferPointer) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.length)
        bytes.withUnsafeMutableBytes { out in _ = encode(secret: secret, into: out) }
        return bytes
    }

    public func encode(secret: [UInt8]) -> [UInt8] {
        secret.withUnsafeBytes { encode(secret: $0) }
    }

    /// The MAC this frame carries when encoded under `secret`: its de-duplication fingerprint (equal to
    /// ``FrameHeader/fingerprint`` of the encoded bytes). No allocation: frames are at most 72 bytes.
    public func fingerprint(secret: UnsafeRawBufferPointer) -> FrameFingerprint {
        var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &storage) { buffer in
            encode(secret: secret, into: buffer)
            return FrameFingerprint(UnsafeRawBufferPointer(buffer).wireBytes16(at: Self.macOffset))
        }
    }

    public func fingerprint(secret: [UInt8]) -> FrameFingerprint {
        secret.withUnsafeBytes { fingerprint(secret: $0) }
    }
}
