/// The activation code of the phone app: a device credential (16-byte device id and 32-byte secret) that a
/// citizen can read off a screen or a sheet of paper and type into the app.
///
/// Layout: `id (16) ‖ secret (32) ‖ CRC-16 (2)` = 50 bytes = 400 bits, written as 80 characters of Crockford's
/// base32 (`0123456789ABCDEFGHJKMNPQRSTVWXYZ`: no I, L, O or U), most significant bits first, in 16 groups of
/// five separated by dashes:
///
/// ```
/// 0123A-BCDEF-…-XYZ12   (16 groups)
/// ```
///
/// The CRC is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR) over the
/// 48 credential bytes, big-endian. It detects every single mistyped character and every swap of two adjacent
/// characters (both are bursts of at most 10 bits), so the app can say "revise el código" before anything is
/// sent. Reading (``init(_:)``) ignores case, spaces and dashes, and reads `O` as `0` and `I`/`L` as `1`, as
/// Crockford's decoding does.
///
/// The code is shown once, when the credential is issued; the server keeps only the secret it needs to verify
/// frames, never the code.
public struct ActivationCode: Sendable, Hashable, CustomStringConvertible {
    public static let deviceIDLength = 16
    public static let secretLength = 32
    /// Characters without separators.
    public static let symbolCount = 80

    public let deviceID: [UInt8]
    public let secret: [UInt8]

    public init(deviceID: [UInt8], secret: [UInt8]) {
        precondition(deviceID.count == ActivationCode.deviceIDLength && secret.count == ActivationCode.secretLength)
        self.deviceID = deviceID
        self.secret = secret
    }

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    static func value(of c: UInt8) -> UInt8? {
        let upper = (0x61...0x7A).contains(c) ? c - 0x20 : c
        switch upper {
        case UInt8(ascii: "O"): return 0
        case UInt8(ascii: "I"), UInt8(ascii: "L"): return 1
        default: return alphabet.firstIndex(of: upper).map(UInt8.init)
        }
    }

    public init(_ input: String) throws(ActivationCodeError) {
        var values: [UInt8] = []
        values.reserveCapacity(ActivationCode.symbolCount)
        for scalar in input.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "-" { continue }
            guard scalar.isASCII, let v = ActivationCode.value(of: UInt8(scalar.value)) else {
                throw ActivationCodeError(.characters)
            }
            values.append(v)
        }
        guard values.count == ActivationCode.symbolCount else { throw ActivationCodeError(.length) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(50)
        var buffer = 0, bits = 0
        for v in values {
            buffer = (buffer << 5) | Int(v)
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> bits))
                buffer &= (1 << bits) - 1
            }
        }
        let credential = Array(bytes[0..<48])
        let crc = UInt16(bytes[48]) << 8 | UInt16(bytes[49])
        guard ActivationCode.crc16(credential) == crc else { throw ActivationCodeError(.check) }
        deviceID = Array(credential[0..<16])
        secret = Array(credential[16..<48])
    }

    /// The 80 characters in 16 dash-separated groups of five.
    public var text: String {
        let crc = ActivationCode.crc16(deviceID + secret)
        let bytes = deviceID + secret + [UInt8(crc >> 8), UInt8(crc & 0xFF)]
        var out: [UInt8] = []
        var buffer = 0, bits = 0, symbols = 0
        for b in bytes {
            buffer = (buffer << 8) | Int(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                if symbols > 0, symbols % 5 == 0 { out.append(UInt8(ascii: "-")) }
                out.append(ActivationCode.alphabet[(buffer >> bits) & 31])
                symbols += 1
            }
            buffer &= (1 << bits) - 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// CRC-16/CCITT-FALSE.
    public static func crc16(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for b in bytes {
            crc ^= UInt16(b) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }

    /// Never prints the secret.
    public var description: String { "ActivationCode(<redacted>)" }
}

/// Why an activation code was rejected. `field` is `codigo_activacion`.
public struct ActivationCodeError: ValidationError, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        /// Not 80 characters once spaces and dashes are removed.
        case length
        /// A character outside Crockford's base32 (for example `U` or `*`).
        case characters
        /// The CRC does not match: something was mistyped.
        case check
    }
    public let kind: Reason
    public init(_ kind: Reason) { self.kind = kind }
    public var field: String { "codigo_activacion" }
    public var reason: String { kind.rawValue }
    public var mensaje: String {
        switch kind {
        case .length:
            return "El código de activación tiene 80 caracteres en 16 grupos de 5. Revise que esté completo."
        case .characters:
            return "El código de activación solo tiene números y letras (la U no se usa). Revise lo que escribió."
        case .check:
            return "El código de activación no es válido: revise que esté bien escrito, grupo por grupo."
        }
    }
}
