/// Protocol constants and the first parsing step for frames arriving at the server.
///
/// The server parses in two steps so it can look up the sender's key in between:
///
/// ```swift
/// let header = try WireFrame.peek(datagram)        // magic, version, kind, size; who sent it
/// // … look up the secret of header.sender …
/// let frame = try DeviceFrame.decodeAndVerify(datagram, secret: secret)
/// ```
public enum WireFrame {
    /// `"BS"`: the first two bytes of every frame, acknowledgement and short rejection.
    public static let magic: (UInt8, UInt8) = (0x42, 0x53)
    /// The only protocol version this build speaks.
    public static let version: UInt8 = 1
    /// The kind byte of an ``Acknowledgement``.
    public static let acknowledgementKind: UInt8 = 0x80
    /// The kind byte of a ``ShortRejection``.
    public static let shortRejectionKind: UInt8 = 0x81
    /// The server's authenticated answer with the alert's state (``Acknowledgement`` with an ``AlertStatus``),
    /// only to a frame that asked for it.
    public static let statusAcknowledgementKind: UInt8 = 0x82
    /// The smallest frame a client sends (a device frame). No reply is ever larger.
    public static let minimumFrameLength = DeviceFrame.length

    /// UDP: one frame per datagram.
    public static let udpPort: UInt16 = 7135
    /// TCP: frames with a 2-byte big-endian length prefix (see ``LengthPrefixedFramer``).
    public static let tcpPort: UInt16 = 7136
    /// TLS 1.2/1.3: the same length-prefixed stream as ``tcpPort``.
    public static let tlsPort: UInt16 = 7137

    /// Validates magic, version, kind and size of a device or gateway frame and returns who sent it, without
    /// looking at the rest. No allocation.
    ///
    /// Checks, in order: at least 4 bytes (else ``WireError/truncated(expected:got:)`` with `expected` 68), magic,
    /// version, kind (1–7; the server's own kinds 0x80/0x81 are ``WireError/unknownKind(_:)``), exact size for the
    /// kind. It does not check flags, reserved bytes, fields or the MAC: that is `decode` and `verify`.
    public static func peek(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> FrameHeader {
        let rawKind = try checkPrefix(bytes, expectedLength: minimumFrameLength)
        guard let kind = FrameKind(wireValue: rawKind) else { throw .unknownKind(rawKind) }
        try checkLength(bytes, kind.frameLength)
        let sender: FrameSender = kind == .gateway
            ? .gateway(GatewayID(bytes.wireBytes16(at: 8)))
            : .device(DeviceID(bytes.wireBytes16(at: 8)))
        return FrameHeader(kind: kind, sender: sender, sequence: bytes.wireUInt64(at: 24),
                           fingerprint: FrameFingerprint(bytes.wireBytes16(at: kind.frameLength - FrameMAC.length)))
    }

    /// ``peek(_:)-(UnsafeRawBufferPointer)`` over an array.
    public static func peek(_ bytes: [UInt8]) throws(WireError) -> FrameHeader {
        try withBytes(bytes) { (raw) throws(WireError) in try peek(raw) }
    }

    /// Magic and version; returns the kind byte. `expectedLength` is reported when even the kind byte is missing.
    static func checkPrefix(_ bytes: UnsafeRawBufferPointer, expectedLength: Int) throws(WireError) -> UInt8 {
        guard bytes.count >= 4 else { throw .truncated(expected: expectedLength, got: bytes.count) }
        guard bytes[0] == magic.0, bytes[1] == magic.1 else { throw .badMagic }
        guard bytes[2] == version else { throw .unsupportedVersion(bytes[2]) }
        return bytes[3]
    }

    static func checkLength(_ bytes: UnsafeRawBufferPointer, _ length: Int) throws(WireError) {
        if bytes.count < length { throw .truncated(expected: length, got: bytes.count) }
        if bytes.count > length { throw .oversized }
    }

    static func writePrefix(_ buffer: UnsafeMutableRawBufferPointer, kind: UInt8) {
        buffer[0] = magic.0
        buffer[1] = magic.1
        buffer[2] = version
        buffer[3] = kind
    }
}

/// Runs `body` over the bytes of `array`, keeping the typed error.
func withBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
    let result: Result<R, WireError> = array.withUnsafeBytes { raw in
        do throws(WireError) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// What ``WireFrame/peek(_:)-(UnsafeRawBufferPointer)`` learns before any key is known.
public struct FrameHeader: Hashable, Sendable {
    public let kind: FrameKind
    /// The device or gateway id (bytes 8..<24): whose secret verifies the frame.
    public let sender: FrameSender
    /// The sender's sequence number (bytes 24..<32).
    public let sequence: UInt64
    /// The MAC the frame carries (its last 16 bytes), as received. Meaningful for de-duplication only once the
    /// frame has been verified.
    public let fingerprint: FrameFingerprint

    public init(kind: FrameKind, sender: FrameSender, sequence: UInt64, fingerprint: FrameFingerprint) {
        self.kind = kind
        self.sender = sender
        self.sequence = sequence
        self.fingerprint = fingerprint
    }
}
