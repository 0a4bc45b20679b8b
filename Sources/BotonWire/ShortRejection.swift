/// The server's 8-byte, UNAUTHENTICATED refusal (kind 0x81), sent only when it cannot or must not use a key: the
/// frame did not parse (``RejectReason/malformada``) or its sender id is not enrolled
/// (``RejectReason/desconocido``).
///
/// Anyone can forge one, so a client treats it as advisory: it keeps retrying with backoff (a spoofed rejection
/// must never silence a real emergency) and, after repeated ones, tells the user the line is not registered.
public struct ShortRejection: Hashable, Sendable {
    /// Size of a short rejection on the wire.
    public static let length = 8

    /// ``RejectReason/malformada`` or ``RejectReason/desconocido``.
    public let reason: RejectReason

    /// `reason` must be ``RejectReason/malformada`` or ``RejectReason/desconocido`` (a programming error
    /// otherwise).
    public init(reason: RejectReason) {
        precondition(Self.allowed(reason), "a short rejection carries malformada or desconocido, not \(reason)")
        self.reason = reason
    }

    static func allowed(_ reason: RejectReason) -> Bool {
        reason == .malformada || reason == .desconocido
    }

    /// Always ``AckStatus/rechazada``.
    public var status: AckStatus { .rechazada }

    /// The short rejection the server may send for a datagram that failed to parse with `error`, or nil when it
    /// must stay silent:
    ///
    /// - the datagram is shorter than 8 bytes (never answer with more bytes than were received);
    /// - it does not start with `"BS"` (not our protocol: answering could start a loop with another service);
    /// - its kind byte is 0x80 or above (a server's own reply: answering could start a loop between servers);
    /// - the error is ``WireError/badMAC`` (the key is known: answer with an authenticated
    ///   ``Acknowledgement`` `rechazada`/`clave` instead).
    public static func answering(_ error: WireError, datagram: UnsafeRawBufferPointer) -> ShortRejection? {
        guard datagram.count >= length, datagram[0] == WireFrame.magic.0, datagram[1] == WireFrame.magic.1,
              datagram[3] < WireFrame.acknowledgementKind, error != .badMAC else { return nil }
        return ShortRejection(reason: .malformada)
    }

    public static func answering(_ error: WireError, datagram: [UInt8]) -> ShortRejection? {
        datagram.withUnsafeBytes { answering(error, datagram: $0) }
    }

    /// Writes the 8 bytes into the start of `buffer` and returns 8. `buffer` must hold at least 8 bytes.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= Self.length, "a short rejection needs \(Self.length) bytes")
        WireFrame.writePrefix(buffer, kind: WireFrame.shortRejectionKind)
        buffer[4] = AckStatus.rechazada.wireValue
        buffer[5] = reason.wireValue
        buffer[6] = 0
        buffer[7] = 0
        return Self.length
    }

    public func encode() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.length)
        bytes.withUnsafeMutableBytes { out in _ = encode(into: out) }
        return bytes
    }

    /// Parses a short rejection: 8 bytes, magic, version, kind 0x81, status 3, reason 3 or 4, reserved zero.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> ShortRejection {
        let rawKind = try WireFrame.checkPrefix(bytes, expectedLength: length)
        guard rawKind == WireFrame.shortRejectionKind else { throw .unknownKind(rawKind) }
        try WireFrame.checkLength(bytes, length)
        guard bytes[4] == AckStatus.rechazada.wireValue else { throw .badStatus }
        guard let reason = RejectReason(wireValue: bytes[5]), allowed(reason) else { throw .badReason }
        guard bytes[6] == 0, bytes[7] == 0 else { throw .badReserved }
        return ShortRejection(reason: reason)
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> ShortRejection {
        try withBytes(bytes) { (raw) throws(WireError) in try decode(raw) }
    }
}

/// Whatever the server answered: what a client decodes from a reply datagram or a TCP frame.
public enum ServerReply: Hashable, Sendable {
    /// Authenticated with the client's own key.
    case acknowledgement(Acknowledgement)
    /// Unauthenticated: advisory only.
    case shortRejection(ShortRejection)

    /// Dispatches on the kind byte: 0x80 and 0x82 → ``Acknowledgement/decode(_:key:)-(UnsafeRawBufferPointer,_)``,
    /// 0x81 → ``ShortRejection/decode(_:)-(UnsafeRawBufferPointer)``, anything else ``WireError/unknownKind(_:)``.
    public static func decode(_ bytes: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer)
        throws(WireError) -> ServerReply
    {
        let rawKind = try WireFrame.checkPrefix(bytes, expectedLength: ShortRejection.length)
        switch rawKind {
        case WireFrame.acknowledgementKind, WireFrame.statusAcknowledgementKind:
            return .acknowledgement(try Acknowledgement.decode(bytes, key: key))
        case WireFrame.shortRejectionKind: return .shortRejection(try ShortRejection.decode(bytes))
        default: throw .unknownKind(rawKind)
        }
    }

    public static func decode(_ bytes: [UInt8], key: [UInt8]) throws(WireError) -> ServerReply {
        try withBytes(bytes) { (raw) throws(WireError) in
            try withBytes(key) { (k) throws(WireError) in try decode(raw, key: k) }
        }
    }
}
