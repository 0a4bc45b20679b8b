/// A carrier gateway's report that a registered line called the short code 135 (kind 6). Exactly ``length`` (72)
/// bytes on the wire; see the layout in the module documentation.
public struct GatewayFrame: SealedFrame {
    /// Size of a gateway frame on the wire.
    public static let length = 72
    /// Offset of the MAC: it covers bytes 0..<56.
    public static let macOffset = 56
    /// Flag bit 1: the call was a test call (`prueba`).
    static let testFlag: UInt8 = 0x02

    public let gatewayID: GatewayID
    /// Strictly increasing across all of the gateway's frames.
    public let sequence: UInt64
    /// The gateway's clock when the frame was first built, milliseconds since the Unix epoch.
    public let clientTimestampMs: Int64
    /// The call was a test call (flag bit 1): a `prueba`, not an `alerta`.
    public let isTest: Bool
    /// The calling line, held inline.
    public let line: CallingLine

    public init(gatewayID: GatewayID, sequence: UInt64, clientTimestampMs: Int64, isTest: Bool, line: CallingLine) {
        self.gatewayID = gatewayID
        self.sequence = sequence
        self.clientTimestampMs = clientTimestampMs
        self.isTest = isTest
        self.line = line
    }

    /// Always ``FrameKind/gateway``.
    public var kind: FrameKind { .gateway }
    /// What the call asks for: ``FrameKind/prueba`` for a test call, ``FrameKind/alerta`` otherwise.
    public var alertKind: FrameKind { isTest ? .prueba : .alerta }
    /// The calling line in E.164 form, e.g. `"+59322345678"` (allocates; not for the hot path).
    public var lineE164: String { line.e164 }

    // MARK: Decoding

    /// Parses a gateway frame without checking its MAC. No allocation.
    ///
    /// Checks the header (kind 6, 72 bytes), flags (only bit 1), reserved bytes 5..<8 and the calling line.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> GatewayFrame {
        let rawKind = try WireFrame.checkPrefix(bytes, expectedLength: length)
        guard rawKind == FrameKind.gateway.wireValue else { throw .unknownKind(rawKind) }
        try WireFrame.checkLength(bytes, length)

        let flags = bytes[4]
        guard flags & ~testFlag == 0 else { throw .badFlags }
        guard bytes[5] == 0, bytes[6] == 0, bytes[7] == 0 else { throw .badReserved }
        let line = bytes.wireBytes16(at: 40)
        try CallingLine.validate(line)
        return GatewayFrame(gatewayID: GatewayID(bytes.wireBytes16(at: 8)), sequence: bytes.wireUInt64(at: 24),
                            clientTimestampMs: bytes.wireInt64(at: 32), isTest: flags & testFlag != 0,
                            line: CallingLine(validated: line))
    }

    // MARK: Encoding

    /// Writes the 72 bytes, MAC included, into the start of `buffer` and returns 72. No allocation.
    /// `buffer` must hold at least 72 bytes.
    @discardableResult
    public func encode(secret: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= Self.length, "a gateway frame needs \(Self.length) bytes")
        let out = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Self.length])
        WireFrame.writePrefix(out, kind: FrameKind.gateway.wireValue)
        out.wirePut(isTest ? Self.testFlag : 0, at: 4)
        out.wireZero(5 ..< 8)
        out.wirePut(gatewayID.raw, at: 8)
        out.wirePut(sequence, at: 24)
        out.wirePut(clientTimestampMs, at: 32)
        out.wirePut(line.raw, at: 40)
        FrameMAC.seal(out, macOffset: Self.macOffset, key: secret)
        return Self.length
    }
}
