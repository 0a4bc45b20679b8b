/// The server's authenticated answer to a device or gateway frame (kind 0x80). Exactly ``length`` (64) bytes —
/// smaller than the smallest frame it answers (68), so the UDP port cannot be used to amplify traffic.
///
/// Its MAC uses the same key as the frame it answers (the device's or gateway's secret), so the client can tell a
/// genuine answer from a forged one.
public struct Acknowledgement: Hashable, Sendable {
    /// Size of an acknowledgement on the wire.
    public static let length = 64
    /// Offset of the MAC: it covers bytes 0..<48.
    public static let macOffset = 48

    public let status: AckStatus
    /// ``RejectReason/ninguna`` unless ``status`` is ``AckStatus/rechazada``.
    public let reason: RejectReason
    /// The sequence number of the frame answered.
    public let sequence: UInt64
    /// The incident the frame was attached to; 0 when none (e.g. a `latido`, or a rejection).
    public let incidentID: UInt64
    /// The server's clock when it answered, milliseconds since the Unix epoch. A client whose frames are
    /// rejected with ``RejectReason/ventana`` can re-sync its clock from it.
    public let serverTimeMs: Int64
    /// The UPC responsible for the incident; nil when none. Always nil with ``alertStatus`` (its bytes carry the
    /// unit then; the phone learnt the UPC from its alert's answer).
    public let upcCode: UPCCode?
    /// Where the alert stands (kind 0x82 on the wire): only in the answer to a `posicion` or `latido` frame that
    /// asked for it, and only with status ``AckStatus/aceptada`` or ``AckStatus/duplicada``. Nil: a plain
    /// acknowledgement (kind 0x80), byte for byte as before.
    public let alertStatus: AlertStatus?

    /// `reason` must be ``RejectReason/ninguna`` exactly when `status` is not ``AckStatus/rechazada`` (a
    /// programming error otherwise).
    public init(status: AckStatus, reason: RejectReason = .ninguna, sequence: UInt64, incidentID: UInt64 = 0,
                serverTimeMs: Int64, upcCode: UPCCode? = nil)
    {
        precondition(Self.consistent(status, reason), "reason \(reason) does not go with status \(status)")
        self.status = status
        self.reason = reason
        self.sequence = sequence
        self.incidentID = incidentID
        self.serverTimeMs = serverTimeMs
        self.upcCode = upcCode
        alertStatus = nil
    }

    /// An acknowledgement with the alert's state (kind 0x82): `status` must be ``AckStatus/aceptada`` or
    /// ``AckStatus/duplicada``, and `incidentID` 0 exactly when the stage is ``AlertStatus/Stage/ninguna`` (a
    /// programming error otherwise).
    public init(status: AckStatus, sequence: UInt64, incidentID: UInt64, serverTimeMs: Int64,
                alertStatus: AlertStatus)
    {
        precondition(status == .aceptada || status == .duplicada, "an alert's state goes only with a stored frame")
        precondition((incidentID == 0) == (alertStatus.stage == .ninguna), "an alert's state names its incident")
        self.status = status
        reason = .ninguna
        self.sequence = sequence
        self.incidentID = incidentID
        self.serverTimeMs = serverTimeMs
        upcCode = nil
        self.alertStatus = alertStatus
    }

    static func consistent(_ status: AckStatus, _ reason: RejectReason) -> Bool {
        (status == .rechazada) == (reason != .ninguna)
    }

    // MARK: Encoding

    private func writeFields(_ out: UnsafeMutableRawBufferPointer) {
        WireFrame.writePrefix(out, kind: alertStatus == nil ? WireFrame.acknowledgementKind
                                                            : WireFrame.statusAcknowledgementKind)
        out.wirePut(status.wireValue, at: 4)
        out.wirePut(reason.wireValue, at: 5)
        out.wirePut(alertStatus?.stage.wireValue ?? 0, at: 6)
        out.wirePut(UInt8(0), at: 7)
        out.wirePut(sequence, at: 8)
        out.wirePut(incidentID, at: 16)
        out.wirePut(serverTimeMs, at: 24)
        out.wirePut(alertStatus?.rawUnit ?? upcCode?.raw ?? .zero, at: 32)
    }

    /// Writes the 64 bytes with an all-zero MAC, for answering before the sender's key is looked up (an
    /// *ocupado-reintente* from a full queue). A client cannot verify it and treats it as advisory. No allocation,
    /// no cryptography: the listener thread can afford it for every frame of a flood.
    @discardableResult
    public func encodeUnauthenticated(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= Self.length, "an acknowledgement needs \(Self.length) bytes")
        let out = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Self.length])
        writeFields(out)
        for i in Self.macOffset ..< Self.length { out[i] = 0 }
        return Self.length
    }

    /// Writes the 64 bytes, MAC included, into the start of `buffer` and returns 64. No allocation. `key` is the
    /// secret of the device or gateway whose frame is answered; `buffer` must hold at least 64 bytes.
    @discardableResult
    public func encode(key: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= Self.length, "an acknowledgement needs \(Self.length) bytes")
        let out = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Self.length])
        writeFields(out)
        FrameMAC.seal(out, macOffset: Self.macOffset, key: key)
        return Self.length
    }

    public func encode(key: UnsafeRawBufferPointer) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.length)
        bytes.withUnsafeMutableBytes { out in _ = encode(key: key, into: out) }
        return bytes
    }

    public func encode(key: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { encode(key: $0) }
    }

    // MARK: Decoding

    /// Parses and authenticates an acknowledgement (what a client does with the server's answer). No allocation.
    ///
    /// Checks, in order: size (64), magic, version, kind 0x80 (or 0x82, with the alert's state), the MAC under
    /// `key` (``WireError/badMAC``), then status, reason and their combination, reserved bytes and the UPC code
    /// (with the alert's state: the stage and the unit).
    public static func decode(_ bytes: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer)
        throws(WireError) -> Acknowledgement
    {
        let rawKind = try WireFrame.checkPrefix(bytes, expectedLength: length)
        guard rawKind == WireFrame.acknowledgementKind || rawKind == WireFrame.statusAcknowledgementKind else {
            throw .unknownKind(rawKind)
        }
        try WireFrame.checkLength(bytes, length)
        guard FrameMAC.matches(bytes, macOffset: macOffset, key: key) else { throw .badMAC }
        return try fields(bytes)
    }

    /// Parses an acknowledgement without checking its MAC. Only for the server reading an answer it produced
    /// itself (the HTTPS intake turns it into JSON); a client must use ``decode(_:key:)-(UnsafeRawBufferPointer,_)``.
    public static func decodeOwnAnswer(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Acknowledgement {
        let rawKind = try WireFrame.checkPrefix(bytes, expectedLength: length)
        guard rawKind == WireFrame.acknowledgementKind || rawKind == WireFrame.statusAcknowledgementKind else {
            throw .unknownKind(rawKind)
        }
        try WireFrame.checkLength(bytes, length)
        return try fields(bytes)
    }

    private static func fields(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Acknowledgement {
        guard let status = AckStatus(wireValue: bytes[4]) else { throw .badStatus }
        guard let reason = RejectReason(wireValue: bytes[5]), consistent(status, reason) else { throw .badReason }
        if bytes[3] == WireFrame.statusAcknowledgementKind {
            guard status == .aceptada || status == .duplicada else { throw .badStatus }
            guard bytes[7] == 0 else { throw .badReserved }
            guard let stage = AlertStatus.Stage(wireValue: bytes[6]) else { throw .badAlertStatus }
            let incident = bytes.wireUInt64(at: 16)
            guard (incident == 0) == (stage == .ninguna) else { throw .badAlertStatus }
            let unit = try AlertStatus.decodeUnit(bytes.wireBytes16(at: 32))
            return Acknowledgement(status: status, sequence: bytes.wireUInt64(at: 8), incidentID: incident,
                                   serverTimeMs: bytes.wireInt64(at: 24),
                                   alertStatus: AlertStatus(stage: stage, rawUnit: unit))
        }
        guard bytes[6] == 0, bytes[7] == 0 else { throw .badReserved }
        let upc = try UPCCode.decode(bytes.wireBytes16(at: 32))
        return Acknowledgement(status: status, reason: reason, sequence: bytes.wireUInt64(at: 8),
                               incidentID: bytes.wireUInt64(at: 16), serverTimeMs: bytes.wireInt64(at: 24),
                               upcCode: upc)
    }

    public static func decode(_ bytes: [UInt8], key: [UInt8]) throws(WireError) -> Acknowledgement {
        try withBytes(bytes) { (raw) throws(WireError) in
            try withBytes(key) { (k) throws(WireError) in try decode(raw, key: k) }
        }
    }
}
