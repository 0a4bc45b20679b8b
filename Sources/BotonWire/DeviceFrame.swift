/// A frame sent by an enrolled phone or button: `alerta`, `prueba`, `cancelacion`, `posicion`, `latido` or
/// `baja`.
/// Exactly ``length`` (68) bytes on the wire; see the layout in the module documentation.
///
/// A `DeviceFrame` value is always encodable: the initializer validates every field, and decoding accepts only
/// the one canonical byte string of each frame.
public struct DeviceFrame: SealedFrame {
    /// Size of a device frame on the wire.
    public static let length = 68
    /// Offset of the MAC: it covers bytes 0..<52.
    public static let macOffset = 52

    /// One of the six device kinds (never ``FrameKind/gateway``).
    public let kind: FrameKind
    public let deviceID: DeviceID
    /// Strictly increasing across all of the device's frames.
    public let sequence: UInt64
    /// The phone's clock when the frame was first built, milliseconds since the Unix epoch.
    public let clientTimestampMs: Int64
    /// Battery charge 0–100, nil when unknown (255 on the wire).
    public let batteryPercent: UInt8?
    /// The last fix, nil when the phone has none (flag bit 0 clear; bytes 40..<52 zero).
    public let position: FramePosition?
    /// A *silent* alert (flag bit 1, only in `alerta` and `prueba`): the citizen pressed in the way that means "I
    /// cannot talk"; the UPC must not call the line.
    public let isSilent: Bool
    /// The phone asks for its alert's state in the answer (flag bit 2, only in `posicion` and `latido`): a stored
    /// frame is then answered with an acknowledgement with the alert's state (kind 0x82, ``AlertStatus``).
    public let wantsAlertStatus: Bool

    /// Flag bit 0: a position is present.
    static let positionFlag: UInt8 = 0x01
    /// Flag bit 1: a silent alert.
    static let silentFlag: UInt8 = 0x02
    /// Flag bit 2: answer with the alert's state.
    static let alertStatusFlag: UInt8 = 0x04

    /// Throws ``WireError/unknownKind(_:)`` for ``FrameKind/gateway``, ``WireError/badBattery`` for a battery
    /// above 100, and ``WireError/badFlags`` for `isSilent` on a kind other than `alerta` or `prueba`, or
    /// `wantsAlertStatus` on a kind other than `posicion` or `latido`.
    public init(kind: FrameKind, deviceID: DeviceID, sequence: UInt64, clientTimestampMs: Int64,
                batteryPercent: UInt8?, position: FramePosition?, isSilent: Bool = false,
                wantsAlertStatus: Bool = false) throws(WireError)
    {
        guard kind.isDeviceKind else { throw .unknownKind(kind.wireValue) }
        if let batteryPercent, batteryPercent > 100 { throw .badBattery }
        if isSilent, kind != .alerta, kind != .prueba { throw .badFlags }
        if wantsAlertStatus, kind != .posicion, kind != .latido { throw .badFlags }
        self.isSilent = isSilent
        self.wantsAlertStatus = wantsAlertStatus
        self.kind = kind
        self.deviceID = deviceID
        self.sequence = sequence
        self.clientTimestampMs = clientTimestampMs
        self.batteryPercent = batteryPercent
        self.position = position
    }

    // MARK: Decoding

    /// Parses a device frame without checking its MAC. No allocation.
    ///
    /// Checks the header (as ``WireFrame/peek(_:)-(UnsafeRawBufferPointer)``, but only device kinds), then flags
    /// (bit 0; bit 1 only in `alerta` and `prueba`; bit 2 only in `posicion` and `latido`), battery (0–100 or 255), reserved bytes 6..<8, and the position: in range when flag bit 0 is
    /// set, all zero when it is not.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> DeviceFrame {
        let rawKind = try WireFrame.checkPrefix(bytes, expectedLength: length)
        guard let kind = FrameKind(wireValue: rawKind), kind.isDeviceKind else { throw .unknownKind(rawKind) }
        try WireFrame.checkLength(bytes, length)

        let flags = bytes[4]
        guard flags & ~(positionFlag | silentFlag | alertStatusFlag) == 0 else { throw .badFlags }
        let battery = bytes[5]
        guard battery <= 100 || battery == 255 else { throw .badBattery }
        guard bytes[6] == 0, bytes[7] == 0 else { throw .badReserved }

        let position: FramePosition?
        if flags & positionFlag != 0 {
            position = try FramePosition(latitudeE7: bytes.wireInt32(at: 40), longitudeE7: bytes.wireInt32(at: 44),
                                         accuracyMeters: bytes.wireUInt16(at: 48),
                                         fixAgeSeconds: bytes.wireUInt16(at: 50))
        } else {
            guard bytes.wireIsZero(40 ..< 52) else { throw .badPosition }
            position = nil
        }
        return try DeviceFrame(kind: kind, deviceID: DeviceID(bytes.wireBytes16(at: 8)),
                               sequence: bytes.wireUInt64(at: 24), clientTimestampMs: bytes.wireInt64(at: 32),
                               batteryPercent: battery == 255 ? nil : battery, position: position,
                               isSilent: flags & silentFlag != 0, wantsAlertStatus: flags & alertStatusFlag != 0)
    }

    // MARK: Encoding

    /// Writes the 68 bytes, MAC included, into the start of `buffer` and returns 68. No allocation.
    /// `buffer` must hold at least 68 bytes.
    @discardableResult
    public func encode(secret: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= Self.length, "a device frame needs \(Self.length) bytes")
        let out = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Self.length])
        WireFrame.writePrefix(out, kind: kind.wireValue)
        out.wirePut((position == nil ? 0 : Self.positionFlag) | (isSilent ? Self.silentFlag : 0)
                        | (wantsAlertStatus ? Self.alertStatusFlag : 0), at: 4)
        out.wirePut(batteryPercent ?? 255, at: 5)
        out.wirePut(UInt16(0), at: 6)
        out.wirePut(deviceID.raw, at: 8)
        out.wirePut(sequence, at: 24)
        out.wirePut(clientTimestampMs, at: 32)
        if let position {
            out.wirePut(position.latitudeE7, at: 40)
            out.wirePut(position.longitudeE7, at: 44)
            out.wirePut(position.accuracyMeters, at: 48)
            out.wirePut(position.fixAgeSeconds, at: 50)
        } else {
            out.wireZero(40 ..< 52)
        }
        FrameMAC.seal(out, macOffset: Self.macOffset, key: secret)
        return Self.length
    }
}
