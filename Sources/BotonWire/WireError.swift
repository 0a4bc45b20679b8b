/// Why bytes are not a valid v1 frame, acknowledgement or short rejection.
///
/// Every case but ``badMAC`` means the bytes could not be parsed (``rejectReason`` is
/// ``RejectReason/malformada``); ``badMAC`` means they parsed but are not authentic (``RejectReason/clave``).
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fewer bytes than the frame needs. When the kind byte is not there yet (fewer than 4 bytes), `expected` is
    /// the size of the kind of frame the decoder was asked for (68 for ``WireFrame/peek(_:)-(UnsafeRawBufferPointer)``).
    case truncated(expected: Int, got: Int)
    /// More bytes than the frame's kind allows (a datagram carries exactly one frame).
    case oversized
    /// The first two bytes are not `"BS"` (0x42 0x53).
    case badMagic
    /// A protocol version this build does not speak (only 1).
    case unsupportedVersion(UInt8)
    /// A kind byte that is not valid here.
    case unknownKind(UInt8)
    /// A flag bit that must be zero is set.
    case badFlags
    /// A reserved byte is not zero.
    case badReserved
    /// A battery byte between 101 and 254.
    case badBattery
    /// Latitude or longitude out of range, or position bytes that are not zero while the position flag is off.
    case badPosition
    /// A gateway's calling line that is not 8–15 ASCII digits (first digit 1–9), left-aligned and zero padded.
    case badLine
    /// The MAC does not match the key.
    case badMAC
    /// An acknowledgement status byte other than 0–3, or a short rejection whose status is not 3.
    case badStatus
    /// A reason byte other than 0–4, or a reason that does not go with the status (only ``AckStatus/rechazada``
    /// carries one; a ``ShortRejection`` only ``RejectReason/malformada`` or ``RejectReason/desconocido``).
    case badReason
    /// An acknowledgement's UPC code that is not 1–16 printable ASCII characters, left-aligned, zero padded (or all
    /// zero).
    case badUPCCode
    /// An acknowledgement with the alert's state (kind 0x82) whose stage byte is not 0–5, whose unit is not UTF-8
    /// without control characters, left-aligned and zero padded, or whose stage is ``AlertStatus/Stage/ninguna``
    /// with an incident.
    case badAlertStatus
    /// A TCP length prefix of 0 or more than ``LengthPrefixedFramer/maximumFrameLength``. The stream cannot be
    /// resynchronized: close the connection.
    case badLengthPrefix(Int)

    /// The reason to report to the sender: ``RejectReason/clave`` for ``badMAC``, ``RejectReason/malformada`` for
    /// everything else.
    public var rejectReason: RejectReason {
        self == .badMAC ? .clave : .malformada
    }

    public var description: String {
        switch self {
        case .truncated(let expected, let got): "frame truncated: expected \(expected) bytes, got \(got)"
        case .oversized: "frame longer than its kind allows"
        case .badMagic: "bad magic: a frame starts with \"BS\" (0x42 0x53)"
        case .unsupportedVersion(let version): "unsupported protocol version \(version) (this build speaks 1)"
        case .unknownKind(let kind): "unknown or unexpected frame kind \(hexByte(kind))"
        case .badFlags: "a flag bit that must be zero is set"
        case .badReserved: "a reserved byte is not zero"
        case .badBattery: "battery percent must be 0-100, or 255 for unknown"
        case .badPosition: "latitude/longitude out of range, or position bytes set without the position flag"
        case .badLine: "calling line must be 8-15 ASCII digits, left-aligned and zero padded"
        case .badMAC: "MAC does not match the key"
        case .badStatus: "unknown acknowledgement status"
        case .badReason: "unknown rejection reason, or one that does not go with the status"
        case .badUPCCode: "UPC code must be 1-16 printable ASCII characters, left-aligned and zero padded"
        case .badAlertStatus: "alert state must be 0-5 and the unit UTF-8 text, left-aligned and zero padded"
        case .badLengthPrefix(let length):
            "length prefix \(length) outside 1...\(LengthPrefixedFramer.maximumFrameLength)"
        }
    }
}

/// `0x` and two lower-case hex digits.
func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0f)])
}
