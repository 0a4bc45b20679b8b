/// A 16-byte value held inline as two big-endian words (ids and fingerprints), so decoding a frame never
/// allocates. Its `description` is 32 lower-case hex digits.
public protocol SixteenBytes: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0..<8, as a big-endian word.
    var high: UInt64 { get }
    /// Bytes 8..<16, as a big-endian word.
    var low: UInt64 { get }
    init(high: UInt64, low: UInt64)
}

extension SixteenBytes {
    /// Nil unless `bytes` holds exactly 16 bytes.
    public init?<C: Collection<UInt8>>(bytes: C) {
        guard let raw = Bytes16(bytes: bytes) else { return nil }
        self.init(raw)
    }

    /// Nil unless `hex` is exactly 32 hexadecimal digits (upper or lower case).
    public init?(hex: String) {
        guard let raw = Bytes16(hex: hex) else { return nil }
        self.init(raw)
    }

    init(_ raw: Bytes16) {
        self.init(high: raw.high, low: raw.low)
    }

    var raw: Bytes16 { Bytes16(high: high, low: low) }

    /// The 16 bytes in wire order (allocates).
    public var bytes: [UInt8] { raw.bytes }

    /// 32 lower-case hex digits.
    public var description: String { raw.hex }
}

/// An identity issued by the server (a device's or a gateway's): coded as its 32 hex digits.
public protocol WireIdentifier: SixteenBytes, Codable {
    /// What the id identifies, for decoding errors ("device", "gateway").
    static var kindName: String { get }
}

extension WireIdentifier {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = Self(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "a \(Self.kindName) id is 32 hex digits"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A device's identity on the wire: the 16 random bytes issued at enrollment (bytes 8..<24 of a device frame).
/// Its `Codable` form is its 32 hex digits. Generating a new id is not this module's job (see
/// `Digest.randomBytes`).
public struct DeviceID: WireIdentifier {
    public static let kindName = "device"
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}

/// A carrier gateway's identity on the wire: 16 bytes issued when the gateway is registered (bytes 8..<24 of a
/// gateway frame). Same representation as ``DeviceID``, kept a distinct type so the two can never be confused.
public struct GatewayID: WireIdentifier {
    public static let kindName = "gateway"
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}

/// Who sent a frame: the key to look up before verifying it.
public enum FrameSender: Hashable, Sendable, CustomStringConvertible {
    case device(DeviceID)
    case gateway(GatewayID)

    /// `device:<hex>` or `gateway:<hex>`.
    public var description: String {
        switch self {
        case .device(let id): "device:\(id)"
        case .gateway(let id): "gateway:\(id)"
        }
    }
}

/// The 16-byte MAC a frame carries, used as its de-duplication fingerprint.
///
/// The encoding is canonical (reserved bytes, unused flag bits and absent-position bytes must be zero), so one
/// frame has exactly one byte string and therefore one MAC: the same frame always has the same fingerprint. A
/// (sender, sequence) pair already stored with a *different* fingerprint is a reused sequence number, answered
/// `rechazada` / `ventana`.
public struct FrameFingerprint: SixteenBytes {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}
